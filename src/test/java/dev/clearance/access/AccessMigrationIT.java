package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clearance.testsupport.Endpoints;
import dev.clearance.testsupport.RealServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migration V4 on a database with data written by the previous schema: pending outbox entries become
 * desired state, synced documents are marked for adoption from OpenFGA, and the first reconciliation
 * is asked to adopt folder and group tuples that only OpenFGA knows. Runs in a schema of its own.
 */
class AccessMigrationIT {

    @Test
    void existingDocumentsAndPendingGrantsMoveIntoTheDesiredState() throws Exception {
        Endpoints servers = RealServers.get();
        String schema = "migration_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword());
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET search_path TO " + schema + ", public");
            flyway(servers, schema, "3").migrate();
            s.execute("""
                    INSERT INTO documents (tenant, id, title, mime_type, content_hash, grants_hash, acl_version,
                                           acl_synced_version, embedding_model)
                    VALUES ('acme', 'synced', 'Synced', 'text/plain', 'c', 'g', 5, 5, 'm'),
                           ('acme', 'pending', 'Pending', 'text/plain', 'c', 'g', 9, 4, 'm')""");
            s.execute("""
                    INSERT INTO acl_outbox (tenant, document_id, acl_version, desired) VALUES
                    ('acme', 'pending', 8, '[{"user":"user:old","relation":"viewer","object":"document:acme/pending"}]'),
                    ('acme', 'pending', 9, '[{"user":"user:bob","relation":"viewer","object":"document:acme/pending"},
                                            {"user":"folder:acme/hr","relation":"parent","object":"document:acme/pending"}]'),
                    ('acme', 'deleted', 7, '[]')""");
            s.execute("INSERT INTO access_changes (tenant, changed_at) VALUES ('acme', now())");

            flyway(servers, schema, "4").migrate();

            assertEquals(
                    List.of(
                            "document:acme/deleted 7 0 false",
                            "document:acme/pending 9 4 false",
                            "document:acme/synced 5 5 true"),
                    rows(
                            s,
                            "SELECT object || ' ' || version || ' ' || synced_version || ' ' || adopt"
                                    + " FROM access_objects ORDER BY object"));
            assertEquals(
                    List.of("document:acme/pending parent folder:acme/hr", "document:acme/pending viewer user:bob"),
                    rows(s, "SELECT object || ' ' || relation || ' ' || subject FROM desired_tuples ORDER BY 1"));
            assertEquals(List.of("true"), rows(s, "SELECT pending::text FROM access_adoption"));
            assertEquals(
                    List.of("0"),
                    rows(
                            s,
                            "SELECT count(*)::text FROM information_schema.tables" + " WHERE table_schema = '" + schema
                                    + "' AND table_name = 'acl_outbox'"));
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static Flyway flyway(Endpoints servers, String schema, String target) {
        return Flyway.configure()
                .dataSource(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword())
                .schemas(schema)
                .initSql("SET search_path TO " + schema + ", public")
                .locations("classpath:db/migration")
                .target(target)
                .load();
    }

    private static List<String> rows(Statement s, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
