package dev.clearance.search;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Whether a tenant's vector search is an exact scan or the approximate HNSW index. HNSW misses some
 * of the true nearest chunks (recall@10 0.49 to 0.89 on the benchmark corpus, depending on the
 * window), so a tenant small enough to scan gets exact results; see ADR 0004. The tenant's size is
 * read at most once a minute: a stale size only chooses the other path, it never changes who may
 * see what.
 */
@Singleton
final class ExactScanPolicy {

    private static final long MAX_AGE_NANOS = 60_000_000_000L;
    private static final int MAX_TENANTS_REMEMBERED = 10_000;

    private record Size(long chunks, long readAt) {}

    private final ToLongFunction<String> chunkCount;
    private final long exactMaxChunks;
    private final LongSupplier clock;
    private final Map<String, Size> sizes = new ConcurrentHashMap<>();

    @Inject
    ExactScanPolicy(ChunkSearchRepository chunks, SearchProperties properties) {
        this(chunks::chunkCount, properties.exactMaxChunks(), System::nanoTime);
    }

    ExactScanPolicy(ToLongFunction<String> chunkCount, long exactMaxChunks, LongSupplier clock) {
        this.chunkCount = chunkCount;
        this.exactMaxChunks = exactMaxChunks;
        this.clock = clock;
    }

    boolean exact(String tenant) {
        if (exactMaxChunks <= 0) {
            return false;
        }
        long now = clock.getAsLong();
        Size size = sizes.get(tenant);
        if (size == null || now - size.readAt() > MAX_AGE_NANOS) {
            if (sizes.size() >= MAX_TENANTS_REMEMBERED) {
                sizes.clear();
            }
            size = new Size(chunkCount.applyAsLong(tenant), now);
            sizes.put(tenant, size);
        }
        return size.chunks() <= exactMaxChunks;
    }
}
