package dev.clearance.authz;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The ListObjects limits of the OpenFGA server in use (its flags {@code
 * --listObjects-max-results} and {@code --listObjects-deadline}); needed to recognise a truncated
 * list, which the server does not flag.
 */
@ConfigurationProperties("clearance.fga.list-objects")
public record ListObjectsProperties(
        @Bindable(defaultValue = "1000") @Min(1) int maxResults,
        @Bindable(defaultValue = "3s") Duration deadline) {}
