package dev.clearance.jobs;

import dev.clearance.contract.IdRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns relative paths into service ids. Each directory is a folder whose id is its path with '~'
 * between the segments ({@code engineering/stdlib → engineering~stdlib}); a document's id is its
 * folder's id, '~' and its file name. Names keep {@code A-Za-z0-9 . - @ +} as they are ({@code
 * g++.md} is {@code g++.md}); every other UTF-8 byte is written as =XX: characters ids cannot hold,
 * the mapping's own '=' (escape) and '~' (separator), and '_' (escaped since the first release;
 * keeping it so keeps the ids of documents already sent). The mapping never merges two paths. With
 * a root folder, the source directory itself is that folder and prefixes every id.
 */
final class IdMapping {

    /** The service's default limit on ids ({@code clearance.limits.id-max-length}). */
    static final int MAX_ID = 200;

    private static final char SEPARATOR = '~';
    private static final int HASH_CHARS = 16;
    private static final HexFormat ESCAPE_HEX = HexFormat.of().withUpperCase();

    private final String rootFolder;
    private final int maxFolderId;
    private final int maxDocumentId;

    /** The ids of a job's folders and documents in {@code tenant}; {@code rootFolder} may be null. */
    IdMapping(String rootFolder, String tenant) {
        this.rootFolder = rootFolder;
        this.maxFolderId = maxLength("folder", tenant);
        this.maxDocumentId = maxLength("document", tenant);
    }

    /**
     * The longest id the service takes for a {@code type} object of {@code tenant} (by the contract's
     * rule, at the service's default limit); a service configured with a lower limit refuses more.
     */
    static int maxLength(String type, String tenant) {
        return IdRules.maxLocalIdLength(type, tenant, MAX_ID);
    }

    /** Whether the service takes {@code id} as the id of a {@code type} object of {@code tenant}. */
    static boolean isValid(String type, String tenant, String id) {
        return id != null
                && id.length() <= maxLength(type, tenant)
                && IdRules.LOCAL_ID.matcher(id).matches();
    }

    /** The folder id of a directory ("" is the source directory), or null when it is no folder. */
    String folderId(String relativeDirectory) {
        if (relativeDirectory.isEmpty()) {
            return rootFolder;
        }
        return fit(join(rootFolder, encodePath(relativeDirectory)), maxFolderId);
    }

    String documentId(String relativeFile) {
        return fit(join(rootFolder, encodePath(relativeFile)), maxDocumentId);
    }

    /** Directory part of a relative path, "" for a file at the top. */
    static String parentOf(String relativePath) {
        int slash = relativePath.lastIndexOf('/');
        return slash < 0 ? "" : relativePath.substring(0, slash);
    }

    /**
     * A path written in a spec in canonical form: forward slashes, no leading "./" or trailing "/",
     * "" for the source directory itself. Null when it leaves the source directory or is absolute.
     */
    static String normalise(String path) {
        if (path == null) {
            return null;
        }
        String p = path.replace('\\', '/').trim();
        if (p.startsWith("/")) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String segment : p.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                return null;
            }
            out.append(out.isEmpty() ? "" : "/").append(segment);
        }
        return out.toString();
    }

    private static String encodePath(String relativePath) {
        StringBuilder out = new StringBuilder();
        for (String segment : relativePath.split("/")) {
            out.append(out.isEmpty() ? "" : String.valueOf(SEPARATOR)).append(escape(segment, ".-@+", '='));
        }
        return out.toString();
    }

    private static String join(String root, String rest) {
        return root == null ? rest : root + SEPARATOR + rest;
    }

    // Ids must start with a letter or digit and stay within the limit; an over-long id keeps its
    // start (readable) and ends with a hash of the whole (unique).
    private static String fit(String id, int maxLength) {
        String out = Character.isLetterOrDigit(id.charAt(0)) ? id : "0" + id;
        if (out.length() <= maxLength) {
            return out;
        }
        return out.substring(0, maxLength - HASH_CHARS - 1) + "=" + sha256(out).substring(0, HASH_CHARS);
    }

    // Ids may contain '+', '=', '@' and '~'; encoding all but unreserved characters keeps them literal.
    static String urlPathSegment(String id) {
        return escape(id, "-._~", '%');
    }

    // Ids and URL paths escape alike: every UTF-8 byte but A-Z a-z 0-9 and those in keep becomes the
    // marker and two upper-case hex digits.
    private static String escape(String text, String keep, char marker) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || keep.indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append(marker).append(ESCAPE_HEX.toHexDigits(b));
            }
        }
        return out.toString();
    }

    /** The SHA-256 of {@code text} in lower-case hex (as in the ids and job states already written). */
    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
