package dev.clearance.search;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/**
 * Every test of {@link SearchIT} on the approximate path, as large tenants run it: the HNSW index
 * with iterative scan, an exact scan only to prove exhaustion. 600 documents (alice may see 1, carol
 * 30) keep it fast; the index path does not depend on the corpus size.
 */
@MicronautTest
class ApproximateSearchIT extends SearchIT {

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("clearance.search.exact-max-chunks", "0");
    }

    @Override
    protected int documents() {
        return 600;
    }

    @Override
    protected String vectorSearch() {
        return "approximate";
    }
}
