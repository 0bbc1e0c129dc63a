package dev.clearance.access;

/** A relationship tuple with tenant-scoped ids, exactly as stored in OpenFGA. */
public record ScopedTuple(String user, String relation, String object) {}
