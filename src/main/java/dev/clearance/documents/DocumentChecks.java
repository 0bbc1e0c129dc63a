package dev.clearance.documents;

import dev.clearance.access.ObjectIds;
import dev.clearance.access.TupleScoper;
import dev.clearance.platform.InputLimits;
import dev.clearance.platform.Problem;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Field checks of a document that bean validation cannot express: configurable limits, ids that must
 * fit OpenFGA, and NUL characters, which PostgreSQL cannot store. All problems are reported at once.
 */
@Singleton
final class DocumentChecks {

    private static final String NO_NUL = "must not contain NUL (U+0000) characters";

    private final TupleScoper scoper;
    private final InputLimits limits;

    DocumentChecks(TupleScoper scoper, InputLimits limits) {
        this.scoper = scoper;
        this.limits = limits;
    }

    void requireValidId(String tenant, String id) {
        String problem = scoper.localIdProblem(ObjectIds.DOCUMENT, tenant, id);
        if (problem != null) {
            throw new InvalidDocumentException("id", problem);
        }
    }

    void requireValid(String tenant, DocumentInput input) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (input.folder() != null) {
            String problem = scoper.localIdProblem("folder", tenant, input.folder());
            if (problem != null) {
                errors.add(new Problem.FieldError("folder", problem));
            }
        }
        noNul(errors, "title", input.title());
        noNul(errors, "text", input.text());
        noNul(errors, "source", input.source());
        noNul(errors, "mimeType", input.mimeType());
        Map<String, String> metadata = input.metadataOrEmpty();
        if (metadata.size() > limits.metadataMaxEntries()) {
            errors.add(new Problem.FieldError(
                    "metadata", "at most " + limits.metadataMaxEntries() + " entries, got " + metadata.size()));
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
            metadataEntry(errors, entry.getKey(), entry.getValue());
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
    }

    /** The extracted text's length: only known after extraction (a PDF's text is not its size). */
    void requireTextWithinLimit(DocumentInput input, String extracted) {
        if (extracted.length() > limits.textMaxChars()) {
            throw new InvalidDocumentException(
                    input.text() != null ? "text" : "contentBase64",
                    "the text is " + extracted.length() + " characters long; the limit is " + limits.textMaxChars());
        }
    }

    private void metadataEntry(List<Problem.FieldError> errors, String key, String value) {
        String field = "metadata." + (key.length() > 40 ? key.substring(0, 40) + "..." : key);
        if (key.isEmpty() || key.length() > limits.metadataKeyMaxChars()) {
            errors.add(new Problem.FieldError(
                    field, "keys must be 1 to " + limits.metadataKeyMaxChars() + " characters long"));
        }
        if (value != null && value.length() > limits.metadataValueMaxChars()) {
            errors.add(new Problem.FieldError(
                    field, "values must be at most " + limits.metadataValueMaxChars() + " characters long"));
        }
        if (InputLimits.hasNul(key) || InputLimits.hasNul(value)) {
            errors.add(new Problem.FieldError(field, NO_NUL));
        }
    }

    private static void noNul(List<Problem.FieldError> errors, String field, String value) {
        if (InputLimits.hasNul(value)) {
            errors.add(new Problem.FieldError(field, NO_NUL));
        }
    }
}
