package dev.clearance.access;

import java.util.Map;

/**
 * Outcomes per document id, plus how many individual checks were sent and how they ended (one
 * document checked for a user and an agent counts two checks).
 */
public record Decisions(
        Map<String, Outcome> byDocument, int checks, int allowed, int denied, int errors, int requests) {

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
