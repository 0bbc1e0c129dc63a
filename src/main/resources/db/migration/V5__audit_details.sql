-- What a retrieval did, for auditors only. Search responses no longer carry these counts (they
-- depend on documents the caller may not read, see docs/adr/0006), so the audit log is where they
-- live now.
ALTER TABLE audit_log
    ADD COLUMN candidates        integer,
    ADD COLUMN checked           integer,
    ADD COLUMN rounds            integer,
    ADD COLUMN vector_search     text,
    -- Documents asked for by id (GET /v1/documents/{id}, MCP get_document) and how that ended.
    ADD COLUMN document_ids      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN outcome           text,
    -- request_id is always the server's own id; a client's X-Request-Id is kept apart, because a
    -- client-chosen value could collide with, or impersonate, another request's id.
    ADD COLUMN client_request_id text;

-- The key of the audit log's query hashes (HMAC-SHA256) when none is configured. One row at most:
-- every replica inserts its random candidate with ON CONFLICT DO NOTHING and then uses the row that
-- won, so hashes stay comparable across replicas and restarts.
CREATE TABLE audit_query_key (
    id  boolean PRIMARY KEY DEFAULT true CHECK (id),
    key bytea   NOT NULL
);
