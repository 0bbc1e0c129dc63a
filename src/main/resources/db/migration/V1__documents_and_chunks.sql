-- Schema of the document store. Flyway owns all of it, the extension and the indexes included.
CREATE EXTENSION IF NOT EXISTS vector;

-- One row per document and tenant. Access rules live in OpenFGA; acl_version/acl_synced_version
-- say whether OpenFGA already holds the grants of the current version (chunks of a document whose
-- grants are not yet synced are never searchable, see docs/adr/0005).
CREATE TABLE documents (
    tenant             text        NOT NULL,
    id                 text        NOT NULL,
    title              text        NOT NULL,
    source             text,
    folder             text,
    mime_type          text        NOT NULL,
    metadata           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    content_hash       text        NOT NULL,
    grants_hash        text        NOT NULL,
    acl_version        bigint      NOT NULL DEFAULT 1,
    acl_synced_version bigint      NOT NULL DEFAULT 0,
    chunk_count        integer     NOT NULL DEFAULT 0,
    token_count        integer     NOT NULL DEFAULT 0,
    embedding_model    text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, id)
);

CREATE TABLE chunks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant      text        NOT NULL,
    document_id text        NOT NULL,
    ordinal     integer     NOT NULL,
    text        text        NOT NULL,
    tokens      integer     NOT NULL,
    embedding   vector(384) NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    FOREIGN KEY (tenant, document_id) REFERENCES documents (tenant, id) ON DELETE CASCADE,
    UNIQUE (tenant, document_id, ordinal)
);

-- Approximate nearest neighbours for broad queries (iterative scan keeps filters from starving it).
CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops);
-- Full-text leg of hybrid retrieval.
CREATE INDEX chunks_tsv_gin ON chunks USING gin (tsv);
-- Exact path for selective filters: all chunks of a tenant's allowed documents.
CREATE INDEX chunks_tenant_document ON chunks (tenant, document_id);

-- Pending OpenFGA work (transactional outbox): written in the same transaction as the document,
-- processed with retries until OpenFGA holds exactly the desired grants.
CREATE TABLE acl_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant          text        NOT NULL,
    document_id     text        NOT NULL,
    acl_version     bigint      NOT NULL,
    desired         jsonb       NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX acl_outbox_due ON acl_outbox (next_attempt_at);

-- Which embedding model produced the stored vectors; vectors of two models are never mixed.
CREATE TABLE embedding_model (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    name       text    NOT NULL,
    dimension  integer NOT NULL
);

-- Who searched what and got which chunks (see docs/adr/0006).
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    request_id      text,
    tenant          text        NOT NULL,
    user_id         text        NOT NULL,
    agent_id        text,
    action          text        NOT NULL,
    query_hash      text,
    chunk_ids       bigint[]    NOT NULL DEFAULT '{}',
    denied          integer     NOT NULL DEFAULT 0,
    errors          integer     NOT NULL DEFAULT 0,
    model_id        text,
    consistency     text,
    strategy        text,
    latency_ms      integer
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant, at DESC);

-- Versions of a document's access rules come from one sequence, so "the latest desired grants of a
-- document" is well defined even across delete and re-create.
CREATE SEQUENCE acl_version_seq;
