package dev.clearance.access;

import dev.openfga.sdk.api.StreamedListObjectsApi;
import dev.openfga.sdk.api.configuration.ConfigurationOverride;
import dev.openfga.sdk.api.model.ConsistencyPreference;
import dev.openfga.sdk.api.model.ListObjectsRequest;
import dev.openfga.sdk.api.model.ListObjectsResponse;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The documents one principal may view, as OpenFGA lists them. By default the list comes from
 * StreamedListObjects, which has no result cap, only OpenFGA's deadline; plain ListObjects stops at
 * its cap. Either way a list is marked incomplete when it reaches the cap or took close to the
 * deadline, because OpenFGA then returns a partial list without saying so.
 */
@Singleton
final class ListObjectsClient {

    private final FgaStore store;
    private final StreamedListObjectsApi streaming;
    private final FgaProperties properties;
    private final ListObjectsProperties limits;
    private final MeterRegistry meters;

    ListObjectsClient(
            FgaStore store,
            StreamedListObjectsApi streaming,
            FgaProperties properties,
            ListObjectsProperties limits,
            MeterRegistry meters) {
        this.store = store;
        this.streaming = streaming;
        this.properties = properties;
        this.limits = limits;
        this.meters = meters;
    }

    /** The document ids (tenant-relative) and whether OpenFGA surely returned all of them. */
    record Listed(Set<String> ids, boolean complete) {}

    Listed list(FgaStore.Resolved resolved, String tenant, String user, boolean higherConsistency) {
        long started = System.nanoTime();
        List<String> objects;
        String call = limits.streamed() ? "streamed_list_objects" : "list_objects";
        try {
            objects = limits.streamed()
                    ? streamed(resolved, user, higherConsistency)
                    : plain(resolved, user, higherConsistency);
        } finally {
            meters.timer("clearance.authz.duration", "call", call)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        boolean complete = (limits.streamed() || objects.size() < limits.maxResults())
                && took.compareTo(limits.deadline().multipliedBy(9).dividedBy(10)) < 0;
        Set<String> ids = new HashSet<>();
        for (String object : objects) {
            String local = ObjectIds.documentIdOf(object, tenant);
            if (local != null) {
                ids.add(local);
            }
        }
        return new Listed(Set.copyOf(ids), complete);
    }

    /** A call of the SDK that hands back a future (and may throw before it does). */
    private interface Call<T> {
        CompletableFuture<T> start() throws Exception;
    }

    /** The call's result by {@code deadline} ({@link System#nanoTime()}), or fail closed. */
    private static <T> T await(Call<T> call, long deadline) {
        try {
            return call.start().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthorizationUnavailableException("Interrupted while listing viewable documents.", e);
        } catch (Exception e) {
            throw new AuthorizationUnavailableException(
                    "The authorization service could not list viewable documents.", e);
        }
    }

    private ListObjectsRequest request(FgaStore.Resolved resolved, String user, boolean higherConsistency) {
        return new ListObjectsRequest()
                .authorizationModelId(resolved.modelId())
                .type(ObjectIds.DOCUMENT)
                .relation(properties.relation())
                .user(user)
                .consistency(
                        higherConsistency
                                ? ConsistencyPreference.HIGHER_CONSISTENCY
                                : ConsistencyPreference.MINIMIZE_LATENCY);
    }

    private long waitMillis() {
        return limits.deadline().toMillis() + properties.requestTimeout().toMillis();
    }

    private List<String> plain(FgaStore.Resolved resolved, String user, boolean higherConsistency) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis());
        ListObjectsResponse response = await(
                        () -> store.api().listObjects(resolved.storeId(), request(resolved, user, higherConsistency)),
                        deadline)
                .getData();
        return response.getObjects() == null ? List.of() : response.getObjects();
    }

    private List<String> streamed(FgaStore.Resolved resolved, String user, boolean higherConsistency) {
        List<String> objects = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>(1);
        // One budget for the whole call, however long the SDK takes to hand back its future.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis());
        await(
                () -> streaming.streamedListObjects(
                        resolved.storeId(),
                        request(resolved, user, higherConsistency),
                        response -> {
                            synchronized (objects) {
                                objects.add(response.getObject());
                            }
                        },
                        failure -> {
                            synchronized (failures) {
                                failures.add(failure);
                            }
                        },
                        // The stream may run until OpenFGA's deadline, longer than a plain call.
                        new ConfigurationOverride().readTimeout(Duration.ofMillis(waitMillis()))),
                deadline);
        synchronized (failures) {
            if (!failures.isEmpty()) {
                // A stream cut by an error is not a list: fail closed rather than search a part of it.
                throw new AuthorizationUnavailableException(
                        "The authorization service could not list viewable documents.", failures.getFirst());
            }
        }
        synchronized (objects) {
            return List.copyOf(objects);
        }
    }
}
