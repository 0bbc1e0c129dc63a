-- When a tenant's access rules last changed. Searches within the OpenFGA check-cache TTL of a
-- change ask OpenFGA for HIGHER_CONSISTENCY, so a revocation is never hidden by a cached
-- decision (docs/adr/0005).
CREATE TABLE access_changes (
    tenant     text PRIMARY KEY,
    changed_at timestamptz NOT NULL
);
