package dev.clearance.access;

import dev.openfga.sdk.api.OpenFgaApi;
import dev.openfga.sdk.api.client.OpenFgaClient;
import dev.openfga.sdk.api.model.CreateStoreRequest;
import dev.openfga.sdk.api.model.Store;
import dev.openfga.sdk.errors.FgaApiNotFoundError;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves which OpenFGA store and model this process uses. Configured ids win; otherwise the store
 * is found by name (or created) and the model from {@code fga/model.fga} is written unless the
 * store's latest model already equals it ({@link FgaModel}). Resolution is lazy and retried, so the service starts
 * while OpenFGA is still down and reports itself not ready instead of crashing.
 */
@Singleton
public final class FgaStore {

    private static final Logger LOG = LoggerFactory.getLogger(FgaStore.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

    private final OpenFgaClient client;
    private final FgaProperties properties;
    private final FgaModel model;
    private final FgaStoreRecord record;
    private volatile Resolved resolved;
    private volatile SharingRules sharing = SharingRules.NONE;
    private volatile Instant nextAttempt = Instant.EPOCH;

    FgaStore(OpenFgaClient client, FgaProperties properties, FgaModel model, FgaStoreRecord record) {
        this.client = client;
        this.properties = properties;
        this.model = model;
        this.record = record;
    }

    /** Store and model ids in use. */
    public record Resolved(String storeId, String modelId) {}

    /** The resolved ids, resolving them first if needed; fails closed when OpenFGA is unreachable. */
    public Resolved current() {
        Resolved current = resolved;
        if (current != null) {
            return current;
        }
        return resolve();
    }

    /** Raw API bound to no store: callers pass {@link Resolved#storeId()} explicitly. */
    OpenFgaApi api() {
        return client.getApi();
    }

    private synchronized Resolved resolve() {
        if (resolved != null) {
            return resolved;
        }
        if (Instant.now().isBefore(nextAttempt)) {
            throw new AuthorizationUnavailableException("The authorization service is not reachable yet.", null);
        }
        try {
            String storeId = isSet(properties.storeId()) ? properties.storeId() : findOrCreateStore();
            String modelId = isSet(properties.modelId())
                    ? properties.modelId()
                    : record.locked(() -> model.ensure(api(), storeId));
            sharing = sharingRules(storeId, modelId);
            resolved = new Resolved(storeId, modelId);
            LOG.info("OpenFGA store {} model {} ({})", storeId, modelId, properties.apiUrl());
            return resolved;
        } catch (Exception e) {
            nextAttempt = Instant.now().plus(RETRY_AFTER_FAILURE);
            LOG.warn("OpenFGA store/model not resolved: {}", e.toString());
            throw new AuthorizationUnavailableException("The authorization service is not reachable.", e);
        }
    }

    /**
     * What decisions the model in use lets callers share ({@link SubjectSets}); none until the model
     * is resolved.
     */
    SharingRules sharing() {
        current();
        return sharing;
    }

    /** The rules of the model in use: the local file's, or a pinned model's as OpenFGA holds it. */
    private SharingRules sharingRules(String storeId, String modelId) {
        try {
            var used = isSet(properties.modelId())
                    ? api().readAuthorizationModel(storeId, modelId)
                            .get(timeout(), TimeUnit.MILLISECONDS)
                            .getData()
                            .getAuthorizationModel()
                    : model.local();
            SharingRules rules = SharingRules.of(used, ObjectIds.DOCUMENT, properties.relation());
            if (!rules.shareable()) {
                LOG.warn(
                        "Model {} is not monotonic for {}: every caller is checked on its own",
                        modelId,
                        properties.relation());
            }
            return rules;
        } catch (Exception e) {
            LOG.warn("Model {} not read ({}): every caller is checked on its own", modelId, e.toString());
            return SharingRules.NONE;
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    /**
     * The store recorded in PostgreSQL if OpenFGA still has it; else the one store with the
     * configured name (several: refused, see {@link #findByName}); else a new one. Under the deployment-wide lock, so replicas starting together
     * agree on one store instead of each creating its own.
     */
    private String findOrCreateStore() throws Exception {
        return record.locked(() -> {
            Optional<String> recorded = record.storeId(properties.storeName());
            if (recorded.isPresent() && exists(recorded.get())) {
                return recorded.get();
            }
            String id = findByName().orElse(null);
            if (id == null) {
                id = api().createStore(new CreateStoreRequest().name(properties.storeName()))
                        .get(timeout(), TimeUnit.MILLISECONDS)
                        .getData()
                        .getId();
                LOG.info("Created OpenFGA store '{}' ({})", properties.storeName(), id);
            }
            record.record(properties.storeName(), properties.apiUrl(), id);
            return id;
        });
    }

    private boolean exists(String storeId) throws Exception {
        try {
            api().getStore(storeId).get(timeout(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof FgaApiNotFoundError) {
                LOG.warn("The recorded OpenFGA store {} no longer exists; the reconciler rebuilds its tuples", storeId);
                return false;
            }
            throw e;
        }
    }

    /**
     * The store with the configured name. Several can exist (OpenFGA does not keep names unique, and
     * earlier versions could create two at once): then no guess is made, since the wrong one would
     * be adopted or rebuilt; the operator names the right one with {@code FGA_STORE_ID}.
     */
    private Optional<String> findByName() throws Exception {
        Store found = null;
        int named = 0;
        String token = null;
        do {
            var page = api().listStores(100, token, null)
                    .get(timeout(), TimeUnit.MILLISECONDS)
                    .getData();
            for (Store store : page.getStores()) {
                if (properties.storeName().equals(store.getName())) {
                    named++;
                    found = store;
                }
            }
            token = page.getContinuationToken();
        } while (token != null && !token.isEmpty());
        if (named > 1) {
            throw new IllegalStateException(named + " OpenFGA stores are named '" + properties.storeName()
                    + "'; set FGA_STORE_ID to the one this deployment uses");
        }
        return Optional.ofNullable(found).map(Store::getId);
    }

    private long timeout() {
        return properties.callTimeout().toMillis();
    }
}
