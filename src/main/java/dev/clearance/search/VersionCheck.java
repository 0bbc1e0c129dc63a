package dev.clearance.search;

import dev.clearance.documents.DocumentVersions;
import dev.clearance.platform.Standby;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The last step before authorized chunks leave the service: one statement re-reads the access-rule
 * version of every document about to be returned. A chunk stays only if its document still exists,
 * is still synced and still has the version read together with the chunk's text. Versions only grow
 * (one sequence), so "same version before the check and after it" means the rules did not change in
 * between and the decision was made for exactly the rules that govern this text (invariant 3 of
 * docs/consistency.md). A re-PUT between read and check therefore never lets new text ride on an
 * old decision or old text on a new one. When a standby is configured the chunks are also confirmed
 * to exist on the primary, since candidates read from the standby may be of text already replaced.
 */
@Singleton
final class VersionCheck {

    private final DocumentVersions documents;
    private final ChunkSearchRepository chunks;
    private final Standby standby;

    VersionCheck(DocumentVersions documents, ChunkSearchRepository chunks, Standby standby) {
        this.documents = documents;
        this.chunks = chunks;
        this.standby = standby;
    }

    /** The allowed chunks whose documents did not change, and how many were dropped. */
    record Confirmed(Map<Long, Candidate> kept, int dropped) {}

    Confirmed confirm(String tenant, Map<Long, Candidate> allowed) {
        if (allowed.isEmpty()) {
            return new Confirmed(allowed, 0);
        }
        Set<String> ids = new HashSet<>();
        allowed.values().forEach(c -> ids.add(c.documentId()));
        Map<String, Long> current = documents.syncedVersions(tenant, ids);
        // Candidates may come from a standby (ADR 0013): their text must still be the primary's.
        Set<Long> live = standby.configured() ? chunks.existing(tenant, allowed.keySet()) : allowed.keySet();
        Map<Long, Candidate> kept = new LinkedHashMap<>();
        allowed.forEach((id, c) -> {
            Long version = current.get(c.documentId());
            if (version != null && version == c.aclVersion() && live.contains(id)) {
                kept.put(id, c);
            }
        });
        return new Confirmed(kept, allowed.size() - kept.size());
    }
}
