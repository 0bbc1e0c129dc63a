package dev.clearance.access;

import dev.clearance.contract.IdRules;

/**
 * Tenant scoping of OpenFGA object ids: {@code document:<tenant>/<id>}. The tenant is part of every
 * object id the service writes or checks, so a tuple of one tenant can never grant access to an
 * object of another, even when both use the same document id.
 */
public final class ObjectIds {

    /**
     * The type of the objects search returns. A name of the shipped model (fga/model.fga), not a
     * setting: the desired state, the outbox and the checks must all agree on it.
     */
    public static final String DOCUMENT = "document";

    /** No local id can be longer: "document:" plus a one-character tenant and "/" leave this much. */
    private static final int LONGEST_POSSIBLE = IdRules.maxLocalIdLength(DOCUMENT, "x", Integer.MAX_VALUE);

    private ObjectIds() {}

    /** The OpenFGA object of a document of {@code tenant}. */
    public static String document(String tenant, String localId) {
        return scoped(DOCUMENT, tenant, localId);
    }

    /** The local id of a document object of {@code tenant}, or null for other types and tenants. */
    public static String documentIdOf(String objectId, String tenant) {
        return localIdOf(objectId, DOCUMENT, tenant);
    }

    public static String scoped(String type, String tenant, String localId) {
        return type + ":" + tenant + "/" + localId;
    }

    /** The local id of a scoped object id of this tenant, or null if it belongs to another. */
    public static String localIdOf(String objectId, String type, String tenant) {
        String prefix = type + ":" + tenant + "/";
        return objectId.startsWith(prefix) ? objectId.substring(prefix.length()) : null;
    }

    /** Whether {@code id} could name an object at all (characters and an upper bound on length). */
    public static boolean isValidLocalId(String id) {
        return id != null
                && !id.isEmpty()
                && id.length() <= LONGEST_POSSIBLE
                && IdRules.LOCAL_ID.matcher(id).matches();
    }

    /**
     * What is wrong with {@code id} as the id of a {@code type} object in {@code tenant}, or null when
     * it is acceptable: allowed characters, at most {@code maxLength}, and short enough that the
     * scoped object id stays within OpenFGA's limit (a longer one could never be written or checked).
     */
    public static String problem(String type, String tenant, String id, int maxLength) {
        if (id == null || id.isEmpty() || !IdRules.LOCAL_ID.matcher(id).matches()) {
            return "must start with a letter or digit and contain only letters, digits and . _ ~ @ = + -";
        }
        int limit = IdRules.maxLocalIdLength(type, tenant, maxLength);
        if (id.length() > limit) {
            return "must be at most " + limit + " characters long";
        }
        return null;
    }
}
