package dev.clearance.authz;

import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import dev.openfga.sdk.api.model.ConsistencyPreference;
import dev.openfga.sdk.api.model.ListObjectsRequest;
import dev.openfga.sdk.api.model.ListObjectsResponse;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lists what the caller may view, for the pre-filter strategy. For an agent acting for a user both
 * lists are fetched and intersected. A list is marked incomplete when it reaches OpenFGA's result
 * cap or took close to its deadline, because OpenFGA then returns a partial list without saying so.
 */
@Singleton
public final class AccessLister {

    private final FgaStore store;
    private final FgaProperties properties;
    private final ListObjectsProperties limits;
    private final MeterRegistry meters;

    AccessLister(FgaStore store, FgaProperties properties, ListObjectsProperties limits, MeterRegistry meters) {
        this.store = store;
        this.properties = properties;
        this.limits = limits;
        this.meters = meters;
    }

    public Viewable listViewable(Caller caller, boolean higherConsistency) {
        FgaStore.Resolved resolved = store.current();
        Set<String> result = null;
        boolean complete = true;
        for (Principal principal : caller.principals()) {
            long started = System.nanoTime();
            List<String> objects;
            try {
                objects = list(resolved, principal.subject(), higherConsistency);
            } finally {
                meters.timer("clearance.authz.duration", "call", "list_objects")
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if (objects.size() >= limits.maxResults()
                    || took.compareTo(limits.deadline().multipliedBy(9).dividedBy(10)) >= 0) {
                complete = false;
            }
            Set<String> ids = new HashSet<>();
            for (String object : objects) {
                String local = ObjectIds.localIdOf(object, properties.objectType(), caller.tenant());
                if (local != null) {
                    ids.add(local);
                }
            }
            if (result == null) {
                result = ids;
            } else {
                result.retainAll(ids);
            }
        }
        return new Viewable(result == null ? Set.of() : result, complete);
    }

    private List<String> list(FgaStore.Resolved resolved, String user, boolean higherConsistency) {
        ListObjectsRequest request = new ListObjectsRequest()
                .authorizationModelId(resolved.modelId())
                .type(properties.objectType())
                .relation(properties.relation())
                .user(user)
                .consistency(
                        higherConsistency
                                ? ConsistencyPreference.HIGHER_CONSISTENCY
                                : ConsistencyPreference.MINIMIZE_LATENCY);
        try {
            ListObjectsResponse response = store.api()
                    .listObjects(resolved.storeId(), request)
                    .get(
                            limits.deadline().toMillis()
                                    + properties.requestTimeout().toMillis(),
                            TimeUnit.MILLISECONDS)
                    .getData();
            return response.getObjects() == null ? List.of() : response.getObjects();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthorizationUnavailableException("Interrupted while listing viewable documents.", e);
        } catch (Exception e) {
            throw new AuthorizationUnavailableException(
                    "The authorization service could not list viewable documents.", e);
        }
    }
}
