package dev.clearance.documents;

import dev.clearance.access.AccessPaths;
import dev.clearance.access.AccessReview;
import dev.clearance.access.FgaStore;
import dev.clearance.audit.AuditTrail;
import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestRef;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The access review export (ADR 0012) for auditors: one line per (subject, document, path) of a
 * tenant or a folder, as CSV or JSON lines, each carrying the snapshot's time and the model id so a
 * file stands on its own. The body is an {@link InputStream} that reads the next document only when
 * the HTTP layer asks for more bytes: a slow reader slows the export instead of filling memory, and
 * a reader that goes away closes the stream, which ends the database snapshot.
 */
@Singleton
public final class AccessReviewExport {

    public enum Format {
        CSV("text/csv; charset=utf-8", "csv"),
        JSONL("application/x-ndjson", "jsonl");

        final String mediaType;
        final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        public String mediaType() {
            return mediaType;
        }

        public String extension() {
            return extension;
        }

        static Format of(String name) {
            return name.equals("csv") ? CSV : JSONL;
        }
    }

    /** One line of the JSON lines form. */
    @Serdeable
    public record Line(
            String snapshotAt,
            String modelId,
            String document,
            boolean synced,
            String subject,
            List<AccessPaths.Step> path) {}

    /** An export ready to stream: its body and what the response headers say of it. */
    public record Export(InputStream body, Instant snapshotAt, String modelId, Format format) {}

    static final String CSV_HEADER = "snapshot_at,model_id,document,synced,subject,path_length,path\n";

    private final AccessReview review;
    private final FgaStore fga;
    private final AuditTrail audit;
    private final JsonMapper json;

    AccessReviewExport(AccessReview review, FgaStore fga, AuditTrail audit, JsonMapper json) {
        this.review = review;
        this.fga = fga;
        this.audit = audit;
        this.json = json;
    }

    public Export open(Caller caller, @Nullable String folder, String format, RequestRef request) {
        caller.requireScope(Scopes.AUDIT_READ);
        long started = System.nanoTime();
        String modelId = fga.current().modelId();
        AccessReview.Cursor cursor = review.open(caller.tenant(), folder);
        audit.record(new AuditTrail.Read(
                request,
                caller,
                "access.review",
                null,
                AuditTrail.ALLOWED,
                0,
                modelId,
                null,
                (System.nanoTime() - started) / 1_000_000));
        Format f = Format.of(format);
        return new Export(new Body(cursor, f, modelId), cursor.takenAt(), modelId, f);
    }

    /** Encodes one document's rows at a time, when the reader has consumed the previous ones. */
    private final class Body extends InputStream {

        private final AccessReview.Cursor cursor;
        private final Format format;
        private final String modelId;
        private final String snapshotAt;
        private byte[] buffer;
        private int position;
        private boolean ended;

        Body(AccessReview.Cursor cursor, Format format, String modelId) {
            this.cursor = cursor;
            this.format = format;
            this.modelId = modelId;
            this.snapshotAt = cursor.takenAt().toString();
            this.buffer = format == Format.CSV ? CSV_HEADER.getBytes(StandardCharsets.UTF_8) : new byte[0];
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position >= buffer.length) {
                if (ended || !refill()) {
                    return -1;
                }
            }
            int n = Math.min(length, buffer.length - position);
            System.arraycopy(buffer, position, target, offset, n);
            position += n;
            return n;
        }

        private boolean refill() throws IOException {
            List<AccessReview.Row> rows;
            try {
                rows = cursor.next();
            } catch (RuntimeException e) {
                // Fails the response mid-body: the client sees a broken transfer, never a short file
                // that looks complete.
                throw new IOException("The access review could not be read to its end.", e);
            }
            if (rows == null) {
                ended = true;
                return false;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (AccessReview.Row row : rows) {
                out.writeBytes(format == Format.CSV ? csv(row) : jsonLine(row));
            }
            buffer = out.toByteArray();
            position = 0;
            return true;
        }

        private byte[] csv(AccessReview.Row row) {
            String path = row.path().stream()
                    .map(s -> s.user() + " " + s.relation() + " " + s.object())
                    .collect(Collectors.joining("; "));
            String line = String.join(
                            ",",
                            snapshotAt,
                            csvField(modelId),
                            csvField(row.documentId()),
                            Boolean.toString(row.synced()),
                            csvField(row.subject()),
                            Integer.toString(row.path().size()),
                            csvField(path))
                    + "\n";
            return line.getBytes(StandardCharsets.UTF_8);
        }

        private byte[] jsonLine(AccessReview.Row row) {
            try {
                byte[] line = json.writeValueAsBytes(
                        new Line(snapshotAt, modelId, row.documentId(), row.synced(), row.subject(), row.path()));
                byte[] out = new byte[line.length + 1];
                System.arraycopy(line, 0, out, 0, line.length);
                out[line.length] = '\n';
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            ended = true;
            cursor.close();
        }
    }

    /** RFC 4180 quoting, only where a field needs it (ids may hold commas and quotes). */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
