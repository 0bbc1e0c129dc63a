package dev.clearance.contract;

import java.util.regex.Pattern;

/**
 * The id rules of the HTTP contract, in the one place both sides read them: the service checks
 * what it receives by them, and its clients (the ingest job) check what they will send, without
 * depending on the service's internals.
 */
public final class IdRules {

    /** Ids of documents, folders and groups as clients send them (no separators of our own). */
    public static final Pattern LOCAL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~@=+-]*");

    /**
     * Tenant ids (the token's tenant claim): they become part of every object id ("document:acme/x"),
     * so no separators and no spaces.
     */
    public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** Principal ids follow "user:" or "agent:" in OpenFGA; '#', ':', '*' and whitespace would change the meaning. */
    public static final Pattern PRINCIPAL_ID = Pattern.compile("[^\\s#:*\\p{Cntrl}]{1,256}");

    /** OpenFGA refuses object ids ({@code document:acme/x}) longer than this ({@code ^[^\s]{2,256}$}). */
    public static final int MAX_OBJECT_LENGTH = 256;

    private IdRules() {}

    /**
     * The longest local id of a {@code type} object in {@code tenant}: the configured id limit, or
     * less when the tenant-scoped object id ({@code type:tenant/id}) would pass OpenFGA's limit, so
     * a long tenant leaves less room for the id.
     */
    public static int maxLocalIdLength(String type, String tenant, int idMaxLength) {
        return Math.min(idMaxLength, MAX_OBJECT_LENGTH - (type + ":" + tenant + "/").length());
    }
}
