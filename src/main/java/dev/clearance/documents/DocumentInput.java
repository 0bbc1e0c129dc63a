package dev.clearance.documents;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /v1/documents/{id}}. Either {@code text} or {@code contentBase64} (for
 * binary formats such as PDF) is given. {@code viewers}, {@code editors} and {@code owners} are the
 * document's complete direct grants: a later PUT with other lists replaces them. Limits that are
 * configuration (id and folder length, metadata size, text length) are checked by the ingest service.
 * {@code managedBy} names the writer (such as {@code job:handbook}) so it can list its documents
 * later ({@code GET /v1/documents?managedBy=}); like every other field, a later PUT replaces it.
 */
@Serdeable
public record DocumentInput(
        @NotBlank @Size(max = 500) String title,
        @Nullable String text,
        @Nullable String contentBase64,
        @Nullable @Size(max = 100) String mimeType,
        @Nullable @Size(max = 2000) String source,
        @Nullable String folder,
        @Nullable @Size(max = 1000) List<String> viewers,
        @Nullable @Size(max = 1000) List<String> editors,
        @Nullable @Size(max = 1000) List<String> owners,
        @Nullable Map<String, String> metadata,

        @Nullable @Size(min = 1, max = 100) @Pattern(regexp = MANAGED_BY_PATTERN)
        String managedBy) {

    /** The names a writer may use, the same as for relationships (letters, digits and a few separators). */
    public static final String MANAGED_BY_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:@/-]*";

    public List<String> viewersOrEmpty() {
        return viewers == null ? List.of() : viewers;
    }

    public List<String> editorsOrEmpty() {
        return editors == null ? List.of() : editors;
    }

    public List<String> ownersOrEmpty() {
        return owners == null ? List.of() : owners;
    }

    public Map<String, String> metadataOrEmpty() {
        return metadata == null ? Map.of() : metadata;
    }
}
