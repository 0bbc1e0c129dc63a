package dev.clearance.platform;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Limits on what callers may send, beyond the request size limit of the HTTP server ({@code
 * micronaut.server.max-request-size}). Every input over a limit is refused with a 400 that names the
 * field, before anything is embedded or stored.
 *
 * @param queryMaxChars longest search query
 * @param idMaxLength longest document, folder or group id; ids are also refused when the tenant
 *     prefix would make them longer than OpenFGA accepts (256 characters per object)
 * @param textMaxChars longest text of one document, after extraction (every character is chunked and
 *     embedded, so this bounds the work of one PUT)
 * @param metadataMaxEntries most metadata entries per document
 * @param metadataKeyMaxChars longest metadata key
 * @param metadataValueMaxChars longest metadata value
 */
@ConfigurationProperties("clearance.limits")
public record InputLimits(
        @Bindable(defaultValue = "4000") @Min(1) @Max(1_000_000)
        int queryMaxChars,

        @Bindable(defaultValue = "200") @Min(1) @Max(240) int idMaxLength,
        @Bindable(defaultValue = "2000000") @Min(1) int textMaxChars,
        @Bindable(defaultValue = "100") @Min(0) @Max(10_000) int metadataMaxEntries,
        @Bindable(defaultValue = "100") @Min(1) int metadataKeyMaxChars,
        @Bindable(defaultValue = "2000") @Min(1) int metadataValueMaxChars) {

    /**
     * PostgreSQL text cannot hold U+0000, so such input is refused as invalid rather than failing in
     * the store (where it would look like an outage).
     */
    public static boolean hasNul(String value) {
        return value != null && value.indexOf('\u0000') >= 0;
    }
}
