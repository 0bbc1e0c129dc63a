package dev.clearance.documents;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import javax.sql.DataSource;

/** Which embedding model produced the stored vectors (one per database, see docs/adr/0007). */
@Singleton
public final class EmbeddingModels {

    /** A model name and its vector dimension. */
    public record Model(String name, int dimension) {}

    private final DataSource dataSource;

    EmbeddingModels(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records {@code model} if none is recorded yet; returns the model that is recorded now. */
    public Model registerIfAbsent(Model model) {
        return Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO embedding_model (name, dimension) VALUES (?, ?) ON CONFLICT (singleton) DO NOTHING")) {
                s.setString(1, model.name());
                s.setInt(2, model.dimension());
                s.executeUpdate();
            }
            return current(c).orElseThrow();
        });
    }

    /** Replaces the recorded model; only the re-embed job calls this, after rewriting every vector. */
    public void replace(Model model) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO embedding_model (name, dimension) VALUES (?, ?)
                    ON CONFLICT (singleton) DO UPDATE SET name = EXCLUDED.name, dimension = EXCLUDED.dimension""")) {
                s.setString(1, model.name());
                s.setInt(2, model.dimension());
                s.executeUpdate();
            }
            return null;
        });
    }

    private static Optional<Model> current(java.sql.Connection c) throws java.sql.SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT name, dimension FROM embedding_model");
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(new Model(rs.getString(1), rs.getInt(2))) : Optional.empty();
        }
    }
}
