package dev.clearance.access;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The ListObjects limits of the OpenFGA server in use (its flags {@code
 * --listObjects-max-results} and {@code --listObjects-deadline}); needed to recognise a truncated
 * list, which the server does not flag.
 *
 * @param streamed use StreamedListObjects, which only the deadline limits, instead of ListObjects,
 *     which also stops at {@code maxResults}
 */
@ConfigurationProperties("clearance.fga.list-objects")
public record ListObjectsProperties(
        @Bindable(defaultValue = "1000") @Min(1) int maxResults,
        @Bindable(defaultValue = "3s") Duration deadline,
        @Bindable(defaultValue = "true") boolean streamed) {}
