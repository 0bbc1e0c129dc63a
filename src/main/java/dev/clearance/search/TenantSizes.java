package dev.clearance.search;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Whether a tenant's vector search is an exact scan or the approximate HNSW index. HNSW misses some
 * of the true nearest chunks (ADR 0004 and ADR 0009 give the recall measured per path), so a tenant
 * small enough to scan gets exact results. The tenant's size is read at most once a minute: a stale
 * size only chooses the other path, it never changes who may see what.
 */
@Singleton
final class ExactScanPolicy {

    private static final Duration MAX_AGE = Duration.ofMinutes(1);
    private static final int MAX_TENANTS_REMEMBERED = 10_000;

    private final long exactMaxChunks;
    private final LoadingCache<String, Long> sizes;

    @Inject
    ExactScanPolicy(ChunkSearchRepository chunks, SearchProperties properties) {
        this(chunks::chunkCount, properties.exactMaxChunks(), System::nanoTime);
    }

    ExactScanPolicy(ToLongFunction<String> chunkCount, long exactMaxChunks, LongSupplier clock) {
        this.exactMaxChunks = exactMaxChunks;
        this.sizes = Caffeine.newBuilder()
                .expireAfterWrite(MAX_AGE)
                .maximumSize(MAX_TENANTS_REMEMBERED)
                .ticker(clock::getAsLong)
                .executor(Runnable::run)
                .build(chunkCount::applyAsLong);
    }

    boolean exact(String tenant) {
        return exactMaxChunks > 0 && sizes.get(tenant) <= exactMaxChunks;
    }
}
