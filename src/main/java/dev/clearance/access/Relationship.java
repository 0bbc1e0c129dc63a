package dev.clearance.access;

import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotBlank;

/**
 * A relationship tuple as clients write it, with tenant-relative ids: {@code
 * {"user":"group:eng#member","relation":"viewer","object":"folder:eng"}}.
 */
@Serdeable
public record Relationship(
        @NotBlank String user,
        @NotBlank String relation,
        @NotBlank String object) {}
