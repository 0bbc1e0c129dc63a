package dev.clearance.documents;

import com.pgvector.PGvector;
import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Pages through every chunk and rewrites its vector (the re-embed job). */
@Singleton
public final class ReembedRepository {

    /** What is embedded for a chunk: the document title and the chunk text. */
    public record ChunkText(long id, String title, String text) {}

    private final DataSource dataSource;

    ReembedRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<ChunkText> page(long afterId, int limit) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT c.id, d.title, c.text FROM chunks c
                    JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id
                    WHERE c.id > ? ORDER BY c.id LIMIT ?""")) {
                s.setLong(1, afterId);
                s.setInt(2, limit);
                List<ChunkText> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ChunkText(rs.getLong(1), rs.getString(2), rs.getString(3)));
                    }
                }
                return out;
            }
        });
    }

    public void update(List<ChunkText> chunks, List<float[]> vectors, String model) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE chunks SET embedding = ? WHERE id = ?")) {
                for (int i = 0; i < chunks.size(); i++) {
                    s.setObject(1, new PGvector(vectors.get(i)));
                    s.setLong(2, chunks.get(i).id());
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE documents d SET embedding_model = ? FROM chunks c
                    WHERE c.tenant = d.tenant AND c.document_id = d.id AND c.id = ANY (?)""")) {
                s.setString(1, model);
                s.setArray(
                        2,
                        c.createArrayOf(
                                "bigint", chunks.stream().map(ChunkText::id).toArray(Long[]::new)));
                s.executeUpdate();
            }
            return null;
        });
    }
}
