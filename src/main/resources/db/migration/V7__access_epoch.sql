-- A tenant's access epoch: a counter that every change of its access rules through the service
-- raises, on the same row and in the same statement as changed_at. Decisions and visible-document
-- lists are cached per epoch (docs/adr/0009), so a change made anywhere (any replica) retires every
-- cached decision of the tenant at once.
ALTER TABLE access_changes ADD COLUMN epoch bigint NOT NULL DEFAULT 0;
