package dev.clearance.search;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A tenant's size, read at most once a minute, for two cost choices that never change who may see
 * what:
 *
 * <ul>
 *   <li>whether its vector search is an exact scan or the approximate HNSW index. HNSW misses some of
 *       the true nearest chunks (ADR 0004 and ADR 0009 give the recall measured per path), so a tenant
 *       small enough to scan gets exact results;
 *   <li>how much of it a caller's list is, so that a caller seen for the first time whose list is
 *       short goes straight to the pre-filter (ADR 0015);
 *   <li>whether a caller seen for the first time may have its lists fetched before its first round:
 *       no list is longer than the tenant, so a small tenant bounds what that costs (ADR 0015).
 * </ul>
 *
 * A stale size only chooses the other path.
 */
@Singleton
final class TenantSizes {

    /** Chunks and documents of one tenant. */
    record Size(long chunks, long documents) {}

    private static final Duration MAX_AGE = Duration.ofMinutes(1);
    private static final int MAX_TENANTS_REMEMBERED = 10_000;

    private final long exactMaxChunks;
    private final long listUpToDocuments;
    private final LoadingCache<String, Size> sizes;

    @Inject
    TenantSizes(ChunkSearchRepository chunks, SearchProperties properties) {
        this(chunks::size, properties.exactMaxChunks(), properties.listNewCallersUpTo(), System::nanoTime);
    }

    TenantSizes(Function<String, Size> size, long exactMaxChunks, long listUpToDocuments, LongSupplier clock) {
        this.exactMaxChunks = exactMaxChunks;
        this.listUpToDocuments = listUpToDocuments;
        this.sizes = Caffeine.newBuilder()
                .expireAfterWrite(MAX_AGE)
                .maximumSize(MAX_TENANTS_REMEMBERED)
                .ticker(clock::getAsLong)
                .executor(Runnable::run)
                .build(size::apply);
    }

    boolean exactScan(String tenant) {
        return exactMaxChunks > 0 && sizes.get(tenant).chunks() <= exactMaxChunks;
    }

    /** Whether listing what a caller may view costs at most listing this many documents. */
    boolean listable(String tenant) {
        return listUpToDocuments > 0 && sizes.get(tenant).documents() <= listUpToDocuments;
    }

    long documents(String tenant) {
        return sizes.get(tenant).documents();
    }
}
