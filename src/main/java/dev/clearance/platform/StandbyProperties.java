package dev.clearance.platform;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * A PostgreSQL hot standby for search's candidate reads (ADR 0013). Without {@code url} every read
 * goes to the primary.
 *
 * @param url JDBC URL of the standby; empty: no standby
 * @param username role on the standby; empty: the primary's role, which the standby replicates
 * @param password its password (with {@code username})
 * @param maxLag the standby is read only while it is proven to hold everything the primary had
 *     committed at most this long ago
 * @param sampleInterval how often the primary's WAL position is compared with the standby's replay
 * @param poolSize connections to the standby
 */
@ConfigurationProperties("clearance.standby")
public record StandbyProperties(
        @Nullable String url,
        @Nullable String username,
        @Nullable String password,
        @Bindable(defaultValue = "1s") Duration maxLag,
        @Bindable(defaultValue = "200ms") Duration sampleInterval,
        @Bindable(defaultValue = "8") @Min(1) @Max(200) int poolSize) {

    public boolean enabled() {
        return url != null && !url.isBlank();
    }
}
