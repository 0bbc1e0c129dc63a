package dev.clearance.search;

import java.util.Map;

/**
 * Authorized candidates (not yet ranked) and what it took to find them. {@code exact}: the vector
 * leg returned the true nearest chunks (an exact scan), not the approximate index's. {@code
 * dropped}: allowed chunks left out because their document's access rules changed meanwhile.
 */
record Found(
        Map<Long, Candidate> allowed, Effort effort, String strategy, boolean complete, boolean exact, int dropped) {

    /**
     * What finding the results took: chunks fetched, documents decided, rounds. The counts include
     * documents the caller may not read, so they are diagnostics (audit log, {@code audit:read}).
     */
    record Effort(int candidates, int allowedDocs, int deniedDocs, int rounds) {

        static final Effort NONE = new Effort(0, 0, 0, 0);

        int checked() {
            return allowedDocs + deniedDocs;
        }
    }

    /** The same search with only the chunks that survived {@link VersionCheck}. */
    Found confirmed(VersionCheck.Confirmed c, int topK) {
        boolean stillComplete = complete && (c.dropped() == 0 || c.kept().size() >= topK);
        return new Found(c.kept(), effort, strategy, stillComplete, exact, c.dropped());
    }

    SearchDiagnostics diagnostics() {
        return new SearchDiagnostics(
                effort.candidates(),
                effort.checked(),
                effort.allowedDocs(),
                effort.deniedDocs(),
                effort.rounds(),
                strategy,
                exact ? "exact" : "approximate",
                dropped);
    }
}
