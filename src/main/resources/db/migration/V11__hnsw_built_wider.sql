-- The HNSW graph is built denser: m 32 and ef_construction 400 instead of pgvector's defaults 16 and
-- 64. Real questions (section headings embedded as queries) lie off the passages' own region of the
-- space, and a sparser graph left some of their nearest passages unreachable: on 100,000 real
-- passages and 200 such queries, m 16 / ef_construction 200 kept one query at recall@10 0.8 whatever
-- the search-time candidate list (up to 1,000); this graph reaches 0.9 for every query at a list of
-- 600 (mean 0.9975), about 12 ms per query against 40 ms for the exact scan on two workers
-- (docs/benchmarks.md, ADR 0009). It costs build time: about 4 to 5 minutes for those 100,000 chunks
-- on 2 cores, against 40 s with the defaults; the index is about the same size.
--
-- The index is rebuilt over every partition in this migration, which locks the chunks table while it
-- runs: on a large database, run it in a maintenance window. Partitions made later (a tenant's own,
-- give_tenant_own_partition) inherit these parameters from the partitioned index.
DROP INDEX chunks_embedding_hnsw;
CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops)
    WITH (m = 32, ef_construction = 400);
