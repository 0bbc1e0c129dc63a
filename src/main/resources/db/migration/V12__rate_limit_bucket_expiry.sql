-- When a rate-limit bucket may be deleted (epoch milliseconds, written by Bucket4j on every update):
-- the moment it has refilled to its capacity, plus a margin. A full bucket and a missing one admit
-- the same searches, so deleting it changes no answer; without this the table kept one row for every
-- caller that ever searched while limits were on. Rows written before this column existed refill
-- within a minute at the latest, so they may go one minute after the upgrade.
ALTER TABLE rate_limit_buckets ADD COLUMN expires_at bigint;
UPDATE rate_limit_buckets SET expires_at = (extract(epoch FROM now()) * 1000)::bigint + 60000;
CREATE INDEX rate_limit_buckets_expires_at ON rate_limit_buckets (expires_at);
