package dev.clearance.authz;

import java.util.regex.Pattern;

/**
 * Tenant scoping of OpenFGA object ids: {@code document:<tenant>/<id>}. The tenant is part of every
 * object id the service writes or checks, so a tuple of one tenant can never grant access to an
 * object of another, even when both use the same document id.
 */
public final class ObjectIds {

    /** Ids of documents, folders and groups as clients send them (no separators of our own). */
    public static final Pattern LOCAL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~@=+-]{0,199}");

    private ObjectIds() {}

    public static String scoped(String type, String tenant, String localId) {
        return type + ":" + tenant + "/" + localId;
    }

    /** The local id of a scoped object id of this tenant, or null if it belongs to another. */
    public static String localIdOf(String objectId, String type, String tenant) {
        String prefix = type + ":" + tenant + "/";
        return objectId.startsWith(prefix) ? objectId.substring(prefix.length()) : null;
    }

    public static boolean isValidLocalId(String id) {
        return id != null && LOCAL_ID.matcher(id).matches();
    }
}
