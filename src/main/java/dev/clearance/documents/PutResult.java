package dev.clearance.documents;

import io.micronaut.serde.annotation.Serdeable;

/**
 * Outcome of one PUT. {@code status}: created, updated or unchanged. {@code searchable} is false
 * while the access rules are still being written to OpenFGA (the document stays hidden meanwhile).
 */
@Serdeable
public record PutResult(String id, String status, int chunks, int tokens, boolean searchable) {}
