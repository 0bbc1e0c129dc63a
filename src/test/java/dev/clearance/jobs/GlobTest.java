package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void doubleStarSlashAlsoMatchesTheTopLevel() {
        Glob md = new Glob("**/*.md");
        assertTrue(md.matches("a.md"));
        assertTrue(md.matches("x/y/a.md"));
        assertFalse(md.matches("a.mdx"));
    }

    @Test
    void singleStarAndQuestionMarkStayInOneSegment() {
        assertTrue(new Glob("hr/*.md").matches("hr/leave.md"));
        assertFalse(new Glob("hr/*.md").matches("hr/pay/bands.md"));
        assertTrue(new Glob("v?.txt").matches("v1.txt"));
        assertFalse(new Glob("?.txt").matches("/.txt"));
    }

    @Test
    void bracesAndLiterals() {
        Glob glob = new Glob("docs/**/*.{md,html}");
        assertTrue(glob.matches("docs/a/b.html"));
        assertTrue(glob.matches("docs/b.md"));
        assertFalse(glob.matches("docs/b.txt"));
        assertTrue(new Glob("a+b (1).md").matches("a+b (1).md"), "regex characters are literal");
        assertTrue(new Glob("drafts/**").matches("drafts/x/y.md"));
    }

    @Test
    void bracketsAndBackslashesAreLiteral() {
        assertTrue(new Glob("notes[1].md").matches("notes[1].md"));
        assertFalse(new Glob("notes[1].md").matches("notes1.md"), "no character classes");
        assertFalse(new Glob("a\\*.md").matches("a*.md"), "no escapes");
    }

    @Test
    void invalidGlobsAreRefused() {
        assertThrows(PatternSyntaxException.class, () -> new Glob("{unclosed"));
    }
}
