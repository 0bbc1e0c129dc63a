package dev.clearance.identity;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;

/**
 * How token claims map to a caller.
 *
 * @param tenantClaim the claim holding the tenant (Auth0 Organizations put it in {@code org_id})
 * @param defaultTenant the tenant of tokens that carry no tenant claim
 */
@ConfigurationProperties("clearance.identity")
public record IdentityProperties(
        @Bindable(defaultValue = "org_id") @NotBlank String tenantClaim,
        @Bindable(defaultValue = "default") @NotBlank String defaultTenant) {}
