package dev.clearance.access;

import dev.clearance.identity.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Authorization switched off, for benchmarks only: replaces {@link AccessChecker} and answers every
 * document {@link Outcome#ALLOWED} without asking OpenFGA (no check is sent, no request counted), so a
 * benchmark can measure what a search costs without its authorization checks, on the same service,
 * servers and data.
 *
 * <p><b>It cannot be turned on in production.</b> This class is compiled into the test classes only;
 * the production jar does not contain it, so no property, environment variable or configuration
 * file can activate it there. In the test class path it is active only when {@value #PROPERTY} is
 * {@code off}, which only the benchmark programs set ({@code ThroughputBenchmark} passes it to the
 * service it starts for its authorization-off phase). Integration tests never set it, and {@code
 * AuthorizationOffForBenchmarksGuardTest} fails when any test source or resource other than the
 * benchmarks names the property, or when the environment of a test run sets it.
 *
 * <p>Only the per-document check is replaced; anything that lists a caller's documents (the
 * pre-filter's ListObjects) still asks OpenFGA. With every candidate allowed, a search's first round
 * already finds k results, so the adaptive strategy never switches to the pre-filter.
 */
@Singleton
@Replaces(AccessChecker.class)
@Requires(property = AuthorizationOffForBenchmarks.PROPERTY, value = "off")
public class AuthorizationOffForBenchmarks extends AccessChecker {

    /** The property that turns authorization off, in benchmark runs of the test class path only. */
    public static final String PROPERTY = "clearance.bench.authorization";

    AuthorizationOffForBenchmarks(FgaStore store, FgaProperties properties, MeterRegistry meters) {
        super(store, properties, meters);
    }

    @Override
    public Decisions check(
            Caller caller, Collection<String> documentIds, boolean higherConsistency, long deadlineNanos) {
        Map<String, Outcome> byDocument = new HashMap<>();
        for (String document : new LinkedHashSet<>(documentIds)) {
            byDocument.put(document, Outcome.ALLOWED);
        }
        // Nothing was sent: no checks and no requests; every document allowed.
        return new Decisions(byDocument);
    }

    @Override
    Map<Pair, Outcome> check(String tenant, List<Pair> pairs, boolean higherConsistency, long deadlineNanos) {
        Map<Pair, Outcome> allowed = new HashMap<>();
        pairs.forEach(pair -> allowed.put(pair, Outcome.ALLOWED));
        return allowed;
    }
}
