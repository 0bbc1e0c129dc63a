package dev.clearance.access;

import io.micronaut.serde.annotation.Serdeable;

/** One tuple the outbox must make exist in OpenFGA (ids already tenant-scoped). */
@Serdeable
public record DesiredTuple(String user, String relation, String object) {}
