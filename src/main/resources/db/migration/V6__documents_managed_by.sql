-- Who wrote a document through the API under its own name (e.g. an ingest job), so that writer can
-- list its documents and delete the ones it no longer has, even after losing its own records.
-- A PUT replaces it like every other field of the document; documents written without one have none.
ALTER TABLE documents ADD COLUMN managed_by text;

-- The listing (GET /v1/documents?managedBy=) pages by id within one tenant and writer. Partial: most
-- documents of a tenant written by hand need no entry.
CREATE INDEX documents_managed_by ON documents (tenant, managed_by, id) WHERE managed_by IS NOT NULL;
