package dev.clearance.contract;

/**
 * The OAuth scopes of the HTTP contract (the token's {@code scope} claim). Searching needs none: what
 * a caller may read is decided per document by its access rules, not by a scope.
 */
public final class Scopes {

    public static final String DOCUMENTS_WRITE = "documents:write";
    public static final String RELATIONSHIPS_WRITE = "relationships:write";
    /** Operators of the access sync: reconcile, parked objects, drift. */
    public static final String ACCESS_ADMIN = "access:admin";
    /** Reads the audit log, and sees how searches found their results (counts of hidden documents). */
    public static final String AUDIT_READ = "audit:read";

    private Scopes() {}
}
