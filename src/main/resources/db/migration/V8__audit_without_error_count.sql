-- A search whose authorization fails is answered 503 and returns nothing, so no audited search ever
-- had a failed check: the column was always 0 and only suggested otherwise.
ALTER TABLE audit_log DROP COLUMN errors;
