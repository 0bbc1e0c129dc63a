package dev.clearance.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    private static final TokenCounter TOKENS = new TokenCounter();

    /** A window counted in words, standing in for the embedding model's word pieces. */
    private static final EmbeddingWindow WORDS = new EmbeddingWindow() {
        @Override
        public int count(String text) {
            return text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }

        @Override
        public int maxTokens() {
            return 60;
        }
    };

    private final Chunker chunker = new Chunker(TOKENS, WORDS, new ChunkingProperties(50, 10));

    @Test
    void everyChunkFitsTheTokenBudgetAndTheEmbeddingWindow() {
        String text = ("# Heading\n\n" + "This is a sentence about vacation policy. ".repeat(40) + "\n\n").repeat(5);
        List<Chunk> chunks = chunker.chunk(text, "");
        assertTrue(chunks.size() > 5);
        for (Chunk chunk : chunks) {
            assertTrue(chunk.tokens() <= 50, chunk.tokens() + " tokens");
            assertTrue(WORDS.count(chunk.text()) <= 60);
            assertEquals(TOKENS.count(chunk.text()), chunk.tokens());
        }
    }

    @Test
    void theTitleEmbeddedWithEachChunkIsCountedAgainstTheWindow() {
        // A token budget that never binds, so only the 60-word window decides.
        Chunker chunker = new Chunker(TOKENS, WORDS, new ChunkingProperties(5000, 0));
        String text = "Word. ".repeat(400);
        String title = "a b c d e f g h i j k l m n o p q r s t";
        List<Chunk> withTitle = chunker.chunk(text, title);
        List<Chunk> without = chunker.chunk(text, "");
        for (Chunk chunk : withTitle) {
            assertTrue(WORDS.count(chunker.embeddingText(title, chunk.text())) <= 60, "title + chunk fit the window");
        }
        assertTrue(withTitle.size() > without.size(), "room for the title means smaller chunks");
        assertTrue(chunker.embeddingText(title, "x").startsWith(title + "\n"));
        assertEquals("x", chunker.embeddingText("  ", "x"));
    }

    @Test
    void theWindowIsStillCountedForTextThatIsNotShortAscii() {
        // A window that counts every character as a piece (the worst case for the ASCII shortcut)
        // and one that counts a non-ASCII letter as three pieces (as decomposed scripts can be).
        EmbeddingWindow perCharacter = new EmbeddingWindow() {
            @Override
            public int count(String text) {
                return text.codePoints().map(c -> c > 0x7F ? 3 : 1).sum();
            }

            @Override
            public int maxTokens() {
                return 60;
            }
        };
        Chunker chunker = new Chunker(TOKENS, perCharacter, new ChunkingProperties(5000, 0));
        for (String text : List.of("ab. ".repeat(100), "한국. ".repeat(100))) {
            for (Chunk chunk : chunker.chunk(text, "")) {
                assertTrue(perCharacter.count(chunk.text()) <= 60, chunk.text());
            }
        }
    }

    @Test
    void aLongTitleIsShortenedSoItCannotCrowdOutTheChunk() {
        String title = "heading ".repeat(500);
        String line = chunker.embeddingText(title, "body");
        assertTrue(TOKENS.count(line) <= 34, TOKENS.count(line) + " tokens");
        assertTrue(line.endsWith("\nbody"));
    }

    @Test
    void shortParagraphsAreJoinedAndHeadingsStartNewBlocks() {
        List<Chunk> chunks = chunker.chunk("# Title\nIntro.\n\nSecond paragraph.", "");
        assertEquals(1, chunks.size());
        assertTrue(
                chunks.get(0).text().contains("Intro.") && chunks.get(0).text().contains("Second paragraph."));
    }

    @Test
    void consecutiveChunksOverlap() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append("Sentence number ").append(i).append(" is here. ");
        }
        List<Chunk> chunks = chunker.chunk(text.toString(), "");
        assertTrue(chunks.size() >= 3);
        String lastOfFirst = chunks.get(0).text().substring(chunks.get(0).text().lastIndexOf("Sentence"));
        assertTrue(chunks.get(1).text().contains(lastOfFirst.strip()), "second chunk repeats the end of the first");
    }

    @Test
    void anUnbrokenRunLongerThanAChunkIsCutByTokens() {
        String blob = "x".repeat(5000);
        List<Chunk> chunks = chunker.chunk(blob, "");
        assertTrue(chunks.size() > 1);
        assertEquals(blob, String.join("", chunks.stream().map(Chunk::text).toList()));
        chunks.forEach(c -> assertTrue(c.tokens() <= 50));
    }

    @Test
    void specialTokenTextIsCountedAsOrdinaryText() {
        assertTrue(TOKENS.count("before <|endoftext|> after") > 3);
        assertEquals(1, chunker.chunk("before <|endoftext|> after", "").size());
    }
}
