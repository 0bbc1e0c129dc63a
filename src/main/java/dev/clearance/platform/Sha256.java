package dev.clearance.platform;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * SHA-256 as lower-case hex. Callers feed the digest themselves because the framing of what they
 * hash is part of stored data (content and grants hashes): changing it would make every stored
 * document look changed.
 */
public final class Sha256 {

    private Sha256() {}

    public static String hex(Consumer<MessageDigest> feed) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        feed.accept(digest);
        return HexFormat.of().formatHex(digest.digest());
    }
}
