package dev.clearance.jobs;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A glob over relative paths, in the JDK's glob syntax ({@link java.nio.file.FileSystem#getPathMatcher})
 * with one addition that the spec format promises: {@code **}{@code /} also matches no directory at
 * all, so the default {@code **}{@code /*.md} takes {@code a.md} at the top of the source too. The JDK
 * matches {@code **}{@code /} only across at least one '/', so each {@code **}{@code /} is tried both
 * kept and left out. '[' and '\' stay literal, as they always were in specs (the JDK would read them
 * as a character class and an escape). Braces do not nest (the JDK refuses "{a,{b,c}}"). The JDK's
 * matcher of the default file system ignores case on Windows, as Windows does for file names.
 */
final class Glob {

    private final List<PathMatcher> matchers = new ArrayList<>();

    /** Throws {@link java.util.regex.PatternSyntaxException} for an invalid glob. */
    Glob(String glob) {
        String literal = glob.replace("\\", "\\\\").replace("[", "\\[");
        for (String variant : withAndWithoutDoubleStarSlash(literal)) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + variant));
        }
    }

    boolean matches(String relativePath) {
        Path path;
        try {
            path = Path.of(relativePath);
        } catch (InvalidPathException e) {
            return false; // no file has this name; reading it fails and says why
        }
        return matchers.stream().anyMatch(m -> m.matches(path));
    }

    static boolean anyMatches(List<Glob> globs, String relativePath) {
        return globs.stream().anyMatch(g -> g.matches(relativePath));
    }

    static List<Glob> all(List<String> globs) {
        return globs.stream().map(Glob::new).toList();
    }

    // Every "**/" once kept and once left out; "**" is read from the left, as the JDK reads it.
    private static List<String> withAndWithoutDoubleStarSlash(String glob) {
        int at = glob.indexOf("**");
        if (at < 0) {
            return List.of(glob);
        }
        boolean slash = glob.startsWith("/", at + 2);
        String head = glob.substring(0, at + (slash ? 3 : 2));
        List<String> variants = new ArrayList<>();
        for (String rest : withAndWithoutDoubleStarSlash(glob.substring(head.length()))) {
            variants.add(head + rest);
            if (slash) {
                variants.add(glob.substring(0, at) + rest);
            }
        }
        return variants;
    }
}
