package dev.clearance.documents;

import com.pgvector.PGvector;
import dev.clearance.access.ConcurrentChangeException;
import dev.clearance.access.DesiredState;
import dev.clearance.access.ObjectIds;
import dev.clearance.platform.Jdbc;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Documents and their chunks. Every statement is scoped by tenant. */
@Singleton
public final class DocumentRepository {

    private static final Argument<Map<String, String>> METADATA = Argument.mapOf(String.class, String.class);

    private final DataSource dataSource;
    private final JsonMapper json;

    DocumentRepository(DataSource dataSource, JsonMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    public Optional<StoredDocument> find(String tenant, String id) {
        return Jdbc.read(dataSource, c -> find(c, tenant, id, false));
    }

    /**
     * Applies one PUT atomically: the row, its chunks when given, and the desired tuples with a new
     * access version when they changed. Without chunks the write only applies if the stored content
     * is still the one the caller saw (the stored hash equals {@code write.contentHash()}): a concurrent PUT with other text
     * makes it fail with {@link ConcurrentChangeException} instead of mixing one version's text with
     * the other's metadata and grants.
     */
    public StoredDocument save(DocumentWrite write) {
        return Jdbc.inTransaction(dataSource, c -> {
            Optional<StoredDocument> existing = find(c, write.tenant(), write.id(), true);
            if (write.chunks() == null
                    && !existing.map(d -> d.contentHash().equals(write.contentHash()))
                            .orElse(false)) {
                throw new ConcurrentChangeException(write.id());
            }
            DesiredState.Version access =
                    DesiredState.replace(c, write.tenant(), object(write.tenant(), write.id()), write.desiredTuples());
            upsertRow(c, write, access);
            if (write.chunks() != null) {
                replaceChunks(c, write);
            }
            return find(c, write.tenant(), write.id(), false).orElseThrow();
        });
    }

    /**
     * Deletes the document and its chunks, and asks for none of its tuples, in one transaction: the
     * text is gone before the access rules are.
     */
    public boolean delete(String tenant, String id) {
        return Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM documents WHERE tenant = ? AND id = ?")) {
                s.setString(1, tenant);
                s.setString(2, id);
                if (s.executeUpdate() == 0) {
                    return false;
                }
            }
            DesiredState.replace(c, tenant, object(tenant, id), List.of());
            return true;
        });
    }

    /** The OpenFGA object of a document (the tenant is part of every stored id). */
    public static String object(String tenant, String id) {
        return ObjectIds.document(tenant, id);
    }

    private void upsertRow(Connection c, DocumentWrite w, DesiredState.Version access) throws SQLException {
        String sql = """
                INSERT INTO documents (tenant, id, title, source, folder, mime_type, metadata, content_hash,
                                       grants_hash, acl_version, acl_synced_version, embedding_model, managed_by)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant, id) DO UPDATE SET
                    title = EXCLUDED.title, source = EXCLUDED.source, folder = EXCLUDED.folder,
                    mime_type = EXCLUDED.mime_type, metadata = EXCLUDED.metadata,
                    content_hash = EXCLUDED.content_hash, grants_hash = EXCLUDED.grants_hash,
                    acl_version = EXCLUDED.acl_version, acl_synced_version = EXCLUDED.acl_synced_version,
                    embedding_model = EXCLUDED.embedding_model, managed_by = EXCLUDED.managed_by,
                    updated_at = now()
                """;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, w.tenant());
            s.setString(2, w.id());
            s.setString(3, w.title());
            s.setString(4, w.source());
            s.setString(5, w.folder());
            s.setString(6, w.mimeType());
            s.setString(7, toJson(w.metadata()));
            s.setString(8, w.contentHash());
            s.setString(9, w.grantsHash());
            s.setLong(10, access.version());
            // The row mirrors its access object: visible only while OpenFGA holds this version.
            s.setLong(11, access.synced() ? access.version() : 0);
            s.setString(12, w.embeddingModel());
            s.setString(13, w.managedBy());
            s.executeUpdate();
        }
    }

    private static void replaceChunks(Connection c, DocumentWrite w) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM chunks WHERE tenant = ? AND document_id = ?")) {
            s.setString(1, w.tenant());
            s.setString(2, w.id());
            s.executeUpdate();
        }
        String insert = """
                INSERT INTO chunks (tenant, document_id, ordinal, text, tokens, embedding)
                VALUES (?, ?, ?, ?, ?, ?)
                """;
        int tokens = 0;
        try (PreparedStatement s = c.prepareStatement(insert)) {
            for (NewChunk chunk : w.chunks()) {
                s.setString(1, w.tenant());
                s.setString(2, w.id());
                s.setInt(3, chunk.ordinal());
                s.setString(4, chunk.text());
                s.setInt(5, chunk.tokens());
                s.setObject(6, new PGvector(chunk.embedding()));
                s.addBatch();
                tokens += chunk.tokens();
            }
            s.executeBatch();
        }
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE documents SET chunk_count = ?, token_count = ? WHERE tenant = ? AND id = ?")) {
            s.setInt(1, w.chunks().size());
            s.setInt(2, tokens);
            s.setString(3, w.tenant());
            s.setString(4, w.id());
            s.executeUpdate();
        }
    }

    private Optional<StoredDocument> find(Connection c, String tenant, String id, boolean lock) throws SQLException {
        String sql = """
                SELECT tenant, id, title, source, folder, mime_type, metadata::text, content_hash, grants_hash,
                       acl_version, acl_synced_version, chunk_count, token_count, created_at, updated_at, managed_by
                FROM documents WHERE tenant = ? AND id = ?
                """ + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.setString(2, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredDocument(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        fromJson(rs.getString(7)),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getLong(10),
                        rs.getLong(11),
                        rs.getInt(12),
                        rs.getInt(13),
                        rs.getTimestamp(14).toInstant(),
                        rs.getTimestamp(15).toInstant(),
                        rs.getString(16)));
            }
        }
    }

    private String toJson(Map<String, String> metadata) {
        try {
            return json.writeValueAsString(metadata == null ? Map.of() : metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> fromJson(String text) {
        try {
            return json.readValue(text, METADATA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
