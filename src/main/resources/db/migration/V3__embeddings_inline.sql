-- Keep each chunk's vector inside its table row (storage MAIN) instead of letting PostgreSQL move it
-- to the TOAST table. A 384-dimension vector is 1.5 kB; with the chunk text the row passes the 2 kB
-- TOAST threshold and, with the default storage, the vector was the value moved out of line. An
-- exact nearest-neighbour scan then fetched every vector through the TOAST index: 660 ms for 100,000
-- chunks, against about 90 ms with the vectors inline (measured on the benchmark corpus,
-- docs/benchmarks.md). With MAIN the text is compressed or moved out first and the vector stays put.
--
-- Changing the storage does not rewrite existing rows; they move inline when they are next written,
-- which the re-embed job does for every chunk (see README, "Changing the embedding model").
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE MAIN;
