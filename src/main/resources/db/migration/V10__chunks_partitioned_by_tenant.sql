-- Chunks partitioned by tenant (ADR 0014), as pgvector's guidance for multi-tenancy suggests: a tenant
-- large enough to matter gets a list partition of its own, with its own HNSW index; every other
-- tenant lives in the default partition, itself hash-partitioned by tenant into 8 tables. A search
-- names its tenant, so PostgreSQL reads only that tenant's partition: a large tenant's vectors are
-- no longer in the HNSW graph a small tenant's search walks.

ALTER TABLE chunks RENAME TO chunks_before_v10;
ALTER INDEX chunks_embedding_hnsw RENAME TO chunks_before_v10_embedding_hnsw;
ALTER INDEX chunks_tsv_gin RENAME TO chunks_before_v10_tsv_gin;
ALTER INDEX chunks_tenant_document RENAME TO chunks_before_v10_tenant_document;

CREATE TABLE chunks (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    tenant      text        NOT NULL,
    document_id text        NOT NULL,
    ordinal     integer     NOT NULL,
    text        text        NOT NULL,
    tokens      integer     NOT NULL,
    embedding   vector(384) NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    -- The partition key must be part of every unique index. id leads, so a look-up by id alone (the
    -- re-embed job's pages) still uses each partition's index.
    PRIMARY KEY (id, tenant),
    FOREIGN KEY (tenant, document_id) REFERENCES documents (tenant, id) ON DELETE CASCADE,
    UNIQUE (tenant, document_id, ordinal)
) PARTITION BY LIST (tenant);

CREATE TABLE chunks_shared PARTITION OF chunks DEFAULT PARTITION BY HASH (tenant);
CREATE TABLE chunks_shared_0 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE chunks_shared_1 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE chunks_shared_2 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE chunks_shared_3 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE chunks_shared_4 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE chunks_shared_5 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE chunks_shared_6 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE chunks_shared_7 PARTITION OF chunks_shared FOR VALUES WITH (MODULUS 8, REMAINDER 7);

-- Vectors stay inline (V3): set here for every partition, and for each new one by the procedure below.
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE MAIN;

-- Copied before the indexes are built: one bulk build per partition instead of row-by-row inserts.
INSERT INTO chunks (id, tenant, document_id, ordinal, text, tokens, embedding) OVERRIDING SYSTEM VALUE
SELECT id, tenant, document_id, ordinal, text, tokens, embedding FROM chunks_before_v10;
SELECT setval(pg_get_serial_sequence('chunks', 'id'),
              GREATEST((SELECT max(id) FROM chunks_before_v10), 1),
              (SELECT max(id) FROM chunks_before_v10) IS NOT NULL);
DROP TABLE chunks_before_v10;

-- Created on the parent, so every partition has them, including those made later.
CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX chunks_tsv_gin ON chunks USING gin (tsv);
CREATE INDEX chunks_tenant_document ON chunks (tenant, document_id);

-- Gives a tenant a list partition of its own (runbook: "A tenant outgrows the shared partitions").
-- Its rows move in one transaction: searches of every tenant wait for it (it locks the table), and
-- nothing is ever visible twice or not at all. Calling it again for the same tenant does nothing.
CREATE PROCEDURE give_tenant_own_partition(tenant_id text)
LANGUAGE plpgsql AS $$
DECLARE
    partition_name text := 'chunks_t_' || substr(md5(tenant_id), 1, 16);
BEGIN
    IF to_regclass(partition_name) IS NOT NULL THEN
        RAISE NOTICE 'tenant % already has partition %', tenant_id, partition_name;
        RETURN;
    END IF;
    LOCK TABLE chunks IN ACCESS EXCLUSIVE MODE;
    CREATE TEMP TABLE clearance_moving ON COMMIT DROP AS
        SELECT id, tenant, document_id, ordinal, text, tokens, embedding FROM chunks WHERE tenant = tenant_id;
    DELETE FROM chunks WHERE tenant = tenant_id;
    EXECUTE format('CREATE TABLE %I PARTITION OF chunks FOR VALUES IN (%L)', partition_name, tenant_id);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding SET STORAGE MAIN', partition_name);
    INSERT INTO chunks (id, tenant, document_id, ordinal, text, tokens, embedding) OVERRIDING SYSTEM VALUE
        SELECT id, tenant, document_id, ordinal, text, tokens, embedding FROM clearance_moving;
    DROP TABLE clearance_moving;
END;
$$;
