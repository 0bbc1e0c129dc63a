package dev.clearance.access;

import java.util.Map;

/**
 * Outcomes per document id. A document that was not decided counts as {@link Outcome#ERROR}, so a
 * missing answer can never read as allowed. (How many checks were sent is a metric of the checker,
 * {@code clearance.authz.checks}.)
 */
public record Decisions(Map<String, Outcome> byDocument) {

    public Decisions {
        byDocument = Map.copyOf(byDocument);
    }

    public Outcome outcome(String documentId) {
        return byDocument.getOrDefault(documentId, Outcome.ERROR);
    }

    public boolean hasErrors() {
        return byDocument.containsValue(Outcome.ERROR);
    }
}
