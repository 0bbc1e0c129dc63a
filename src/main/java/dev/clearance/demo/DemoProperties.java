package dev.clearance.demo;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The demo identity provider. Off unless {@code clearance.demo.enabled=true}: it signs tokens for
 * anyone who asks, so it exists only for local demos and must never run in production. {@code
 * tenant} is the tenant of the demo corpus (ingest-jobs/demo.yaml), offered by {@code /demo/users}.
 */
@ConfigurationProperties("clearance.demo")
public record DemoProperties(
        @Bindable(defaultValue = "false") boolean enabled,
        @Bindable(defaultValue = "clearance-demo") String issuer,
        @Bindable(defaultValue = "clearance") String audience,
        @Bindable(defaultValue = "1h") Duration tokenLifetime,
        @Bindable(defaultValue = "acme") String tenant) {}
