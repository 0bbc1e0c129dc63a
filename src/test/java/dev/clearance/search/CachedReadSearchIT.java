package dev.clearance.search;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;

/**
 * Every test of {@link SearchIT} outside the consistency window: checks read OpenFGA's cached
 * decisions (MINIMIZE_LATENCY), the path that serves most production searches, with the same
 * corpus and the same assertions. The tests run one after the other, so later ones meet decisions
 * the earlier ones left in the cache.
 */
@MicronautTest
class CachedReadSearchIT extends SearchIT {

    @Override
    protected boolean cachedReads() {
        return true;
    }
}
