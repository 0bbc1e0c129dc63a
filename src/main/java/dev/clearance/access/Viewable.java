package dev.clearance.access;

import java.util.Set;

/**
 * The documents of the caller's tenant that the caller may view, from ListObjects. {@code complete}
 * is false when OpenFGA may have cut the list (it stops silently at its result cap or deadline): an
 * incomplete list must never be treated as the full set.
 */
public record Viewable(Set<String> documentIds, boolean complete) {

    public Viewable {
        documentIds = Set.copyOf(documentIds);
    }
}
