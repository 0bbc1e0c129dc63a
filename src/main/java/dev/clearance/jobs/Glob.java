package dev.clearance.jobs;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A glob over relative paths with '/' separators: {@code *} and {@code ?} stay within one path
 * segment, {@code **} spans segments, and {@code **}{@code /} also matches no directory at all (so
 * {@code **}{@code /*.md} matches {@code a.md}, unlike java.nio's PathMatcher), {@code {a,b}} is
 * either alternative. Written here so patterns behave the same on every operating system.
 */
final class Glob {

    private final String glob;
    private final Pattern pattern;

    Glob(String glob) {
        this.glob = glob;
        this.pattern = Pattern.compile(toRegex(glob));
    }

    boolean matches(String relativePath) {
        return pattern.matcher(relativePath).matches();
    }

    static boolean anyMatches(List<Glob> globs, String relativePath) {
        return globs.stream().anyMatch(g -> g.matches(relativePath));
    }

    static List<Glob> all(List<String> globs) {
        return globs.stream().map(Glob::new).toList();
    }

    @Override
    public String toString() {
        return glob;
    }

    static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                        regex.append(slash ? "(?:.*/)?" : ".*");
                        i += slash ? 2 : 1;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                case '{' -> {
                    braces++;
                    regex.append("(?:");
                }
                case '}' -> {
                    if (braces > 0) {
                        braces--;
                        regex.append(')');
                    } else {
                        regex.append("\\}");
                    }
                }
                case ',' -> regex.append(braces > 0 ? "|" : ",");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
