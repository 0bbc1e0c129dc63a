-- Token buckets of the shared rate limits (Bucket4j's PostgreSQL backend, ADR 0011): one row per
-- tenant and per caller that searched while limits were on. Every replica reads and updates the same
-- row under SELECT ... FOR UPDATE, so a limit holds for the deployment, not per process.
CREATE TABLE rate_limit_buckets (
    id    text PRIMARY KEY,
    state bytea
);
