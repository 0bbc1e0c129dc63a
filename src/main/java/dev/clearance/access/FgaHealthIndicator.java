package dev.clearance.access;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;

/** Ready only when OpenFGA answers and the store and model are resolved. */
@Singleton
@Readiness
final class FgaHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {

    private final FgaStore store;
    private final FgaProperties properties;

    FgaHealthIndicator(FgaStore store, FgaProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        try {
            FgaStore.Resolved resolved = store.current();
            store.api()
                    .readAuthorizationModel(resolved.storeId(), resolved.modelId())
                    .get(properties.requestTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            healthStatus = HealthStatus.UP;
            return Map.of("storeId", resolved.storeId(), "modelId", resolved.modelId());
        } catch (Exception e) {
            healthStatus = HealthStatus.DOWN;
            return Map.of("error", "OpenFGA not reachable or store/model not resolved");
        }
    }

    @Override
    protected String getName() {
        return "openfga";
    }
}
