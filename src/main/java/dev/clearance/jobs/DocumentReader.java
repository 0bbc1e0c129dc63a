package dev.clearance.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a source file into the body of {@code PUT /v1/documents/{id}}, and hashes that body. */
final class DocumentReader {

    /** The service refuses requests over 12 MB; base64 adds a third, so stay well below. */
    static final long MAX_FILE_BYTES = 8L * 1024 * 1024;

    private static final int MAX_TITLE = 500;
    private static final Pattern MARKDOWN_TITLE = Pattern.compile("(?m)^#\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern HTML_TITLE = Pattern.compile("(?is)<title[^>]*>(.*?)</title>");

    /** The JSON body; absent values are left out so the body (and its hash) stays minimal. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Body(
            String title,
            String text,
            String contentBase64,
            String mimeType,
            String source,
            String folder,
            List<String> viewers,
            List<String> editors,
            List<String> owners,
            Map<String, String> metadata,
            String managedBy) {}

    /** A body ready to send, with the hash that tells whether it differs from the last one sent. */
    record Prepared(byte[] json, String hash) {}

    /** The file cannot become a document; the message is shown in the summary. */
    static final class UnreadableException extends Exception {
        UnreadableException(String message) {
            super(message);
        }
    }

    private final Path directory;
    private final JobSpec spec;
    private final ObjectMapper json = new ObjectMapper();

    DocumentReader(Path directory, JobSpec spec) {
        this.directory = directory;
        this.spec = spec;
    }

    Prepared prepare(Plan.Document document) throws UnreadableException {
        SourceFile file = document.file();
        Path path = directory.resolve(file.path());
        byte[] bytes;
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new UnreadableException("larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MB");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UnreadableException("cannot read the file: " + e);
        }
        String mimeType = mimeType(file.path());
        String text = null;
        String base64 = null;
        if ("application/pdf".equals(mimeType)) {
            base64 = Base64.getEncoder().encodeToString(bytes);
        } else {
            text = utf8(bytes);
        }
        String title = file.title() != null ? file.title() : title(file.path(), mimeType, text);
        Map<String, String> metadata = new TreeMap<>(spec.metadata());
        metadata.putAll(file.metadata());
        metadata.put("path", file.path());
        metadata.put("job", spec.name());
        String prefix = spec.source().urlPrefix();
        Body body = new Body(
                truncate(title),
                text,
                base64,
                mimeType,
                prefix == null ? file.path() : prefix + file.path(),
                document.folder(),
                document.grants().viewers(),
                document.grants().editors(),
                document.grants().owners(),
                metadata,
                spec.managedBy());
        try {
            byte[] bytesOut = json.writeValueAsBytes(body);
            return new Prepared(bytesOut, IdMapping.sha256(new String(bytesOut, StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String mimeType(String path) {
        String name = path.toLowerCase(Locale.ROOT);
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "md", "markdown" -> "text/markdown";
            case "html", "htm" -> "text/html";
            case "pdf" -> "application/pdf";
            default -> "text/plain";
        };
    }

    static String title(String path, String mimeType, String text) {
        Matcher m = null;
        if ("text/markdown".equals(mimeType)) {
            m = MARKDOWN_TITLE.matcher(text);
        } else if ("text/html".equals(mimeType)) {
            m = HTML_TITLE.matcher(text);
        }
        if (m != null && m.find() && !m.group(1).isBlank()) {
            return m.group(1).replaceAll("\\s+", " ").strip();
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static String utf8(byte[] bytes) throws UnreadableException {
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new UnreadableException("not UTF-8 text");
        }
    }

    private static String truncate(String title) {
        return title.length() <= MAX_TITLE ? title : title.substring(0, MAX_TITLE - 1) + "…";
    }
}
