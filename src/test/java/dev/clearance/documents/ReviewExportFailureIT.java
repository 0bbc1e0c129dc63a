package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An access review that cannot be read to its end must not look complete. The database connection
 * of a running export is terminated on the server while the client reads slowly: the client sees a
 * broken transfer, never a well-formed file that silently lacks documents. Afterwards the export
 * works again from a fresh connection.
 */
@MicronautTest
class ReviewExportFailureIT extends IntegrationTest {

    /** Enough lines that the export is far from done when its connection is cut (many MiB). */
    private static final int DOCUMENTS = 30_000;

    @Inject
    EmbeddedServer server;

    @Inject
    DataSource db;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeAll
    void writeALargeTenant() throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement object = c.prepareStatement(
                            "INSERT INTO access_objects (object, tenant, version, synced_version) VALUES (?, ?, 1, 1)");
                    PreparedStatement tuple = c.prepareStatement(
                            "INSERT INTO desired_tuples (object, relation, subject) VALUES (?, 'viewer', ?)")) {
                for (int d = 0; d < DOCUMENTS; d++) {
                    String document = "document:" + tenant + "/doc-" + d;
                    object.setString(1, document);
                    object.setString(2, tenant);
                    object.addBatch();
                    for (String user : new String[] {"user:reader-" + (d % 97), "user:owner-" + (d % 89)}) {
                        tuple.setString(1, document);
                        tuple.setString(2, user);
                        tuple.addBatch();
                    }
                }
                object.executeBatch();
                tuple.executeBatch();
            }
            c.commit();
        }
    }

    private HttpResponse<InputStream> open() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.getURL() + "/v1/access/review"))
                .header("Authorization", "Bearer " + IDP.token("auditor", tenant, "audit:read"))
                .timeout(Duration.ofMinutes(2))
                .GET()
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        return response;
    }

    private static long lines(InputStream in) throws IOException {
        long lines = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    @Test
    void anExportWhoseDatabaseConnectionDiesEndsAsABrokenTransfer() throws Exception {
        HttpResponse<InputStream> response = open();
        try (InputStream in = response.body()) {
            assertTrue(in.read(new byte[1024]) > 0, "the export has started");
            assertEquals(1, terminateExports(), "one export's connection was cut");
            assertThrows(IOException.class, () -> lines(in), "a cut export must not end like a complete one");
        }
        // The pool replaced the dead connection: the next export is whole.
        try (InputStream in = open().body()) {
            assertEquals(2L * DOCUMENTS, lines(in));
        }
    }

    /** Terminates the server-side sessions running this tenant's review query; returns how many. */
    private int terminateExports() throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                                + " FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                                + " AND state IN ('active', 'idle in transaction')"
                                + " AND query LIKE '%t.object LIKE ''document:%''%ORDER BY t.object, t.relation, t.subject%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
