-- The HNSW graph is built with a wider candidate list: ef_construction 200 instead of pgvector's
-- default 64 (m stays 16). Measured on 100,000 real passages (docs/benchmarks.md, ADR 0009): the
-- worst query's recall@10 at the search-time candidate list of 200 rose from 0.8 to 0.9, for about
-- twice the build time and the same index size.
--
-- The index is rebuilt over every partition in this migration, which locks the chunks table while it
-- runs: on a large database, run it in a maintenance window. Partitions made later (a tenant's own,
-- give_tenant_own_partition) inherit these parameters from the partitioned index.
DROP INDEX chunks_embedding_hnsw;
CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 200);
