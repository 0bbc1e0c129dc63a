package dev.clearance.access;

import io.micronaut.serde.annotation.Serdeable;

/**
 * A tuple with tenant-scoped ids, as OpenFGA stores it: what the desired state holds, what the sync
 * writes and what the model check of {@link TupleScoper} returns. One type for all three, since they
 * are the same tuple at different moments. Its {@code toString} feeds the stored grants hash
 * ({@link DesiredState#grantsHash}): renaming the record would make every document's grants look
 * changed once.
 */
@Serdeable
public record DesiredTuple(String user, String relation, String object) {}
