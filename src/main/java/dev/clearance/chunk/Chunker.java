package dev.clearance.chunk;

import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits text into chunks that fit both the LLM token budget and the embedding window. It splits on
 * structure first (headings and paragraphs, then sentences, then words) and only cuts inside a word
 * run when a single word run exceeds the budget. Consecutive chunks overlap by roughly {@code
 * overlapTokens} so a sentence cut at a boundary is still found.
 */
@Singleton
public final class Chunker {

    private static final Pattern BLOCKS = Pattern.compile("\\n\\s*\\n|\\n(?=#{1,6} )");
    private static final Pattern SENTENCES = Pattern.compile("(?<=[.!?。！？])\\s+");
    private static final Pattern WORDS = Pattern.compile("\\s+");

    /** A title longer than this is shortened in the embedded text, so it cannot crowd out the chunk. */
    private static final int TITLE_TOKENS = 32;

    private final TokenCounter tokens;
    private final EmbeddingWindow window;
    private final ChunkingProperties properties;

    public Chunker(TokenCounter tokens, EmbeddingWindow window, ChunkingProperties properties) {
        this.tokens = tokens;
        this.window = window;
        this.properties = properties;
    }

    /**
     * Chunks whose {@link #embeddingText embedding text} (title line plus chunk) still fits the
     * embedding window: the title's word pieces are reserved, so the model never silently drops the
     * end of a chunk.
     */
    public List<Chunk> chunk(String text, String title) {
        int reserve = window.count(titleLine(title));
        List<String> units = new ArrayList<>();
        for (String block : BLOCKS.split(text.strip())) {
            if (!block.isBlank()) {
                split(block.strip(), units, reserve);
            }
        }
        return pack(units, reserve);
    }

    /**
     * What the model embeds for a chunk: its (shortened) title gives short chunks their context.
     * Ingestion and re-embedding both use this, so a re-embedded vector equals a fresh one.
     */
    public String embeddingText(String title, String chunkText) {
        return titleLine(title) + chunkText;
    }

    private String titleLine(String title) {
        if (title == null || title.isBlank()) {
            return "";
        }
        return tokens.truncate(title.strip(), TITLE_TOKENS) + "\n";
    }

    /** Breaks a block into units that each fit a chunk on their own. */
    private void split(String block, List<String> out, int reserve) {
        if (fits(block, reserve)) {
            out.add(block);
            return;
        }
        String[] sentences = SENTENCES.split(block);
        if (sentences.length > 1) {
            for (String sentence : sentences) {
                split(sentence, out, reserve);
            }
            return;
        }
        String[] words = WORDS.split(block);
        if (words.length > 1) {
            packWords(words, out, reserve);
            return;
        }
        // One unbroken run longer than a chunk (e.g. a base64 blob): cut by tokens.
        String rest = block;
        while (!rest.isEmpty()) {
            String head = tokens.truncate(
                    rest, Math.max(1, Math.min(properties.maxTokens(), window.maxTokens() - reserve) / 2));
            if (head.isEmpty()) {
                head = rest.substring(0, Math.min(rest.length(), 64));
            }
            out.add(head);
            rest = rest.substring(head.length());
        }
    }

    private void packWords(String[] words, List<String> out, int reserve) {
        StringBuilder current = new StringBuilder();
        for (String word : words) {
            String candidate = current.isEmpty() ? word : current + " " + word;
            if (!current.isEmpty() && !fits(candidate, reserve)) {
                out.add(current.toString());
                current.setLength(0);
                current.append(word);
            } else {
                current.setLength(0);
                current.append(candidate);
            }
            if (!fits(current.toString(), reserve)) {
                String single = current.toString();
                current.setLength(0);
                split(single, out, reserve);
            }
        }
        if (!current.isEmpty()) {
            out.add(current.toString());
        }
    }

    /** Greedily joins units into chunks, starting each new chunk with the tail of the previous one. */
    private List<Chunk> pack(List<String> units, int reserve) {
        List<Chunk> chunks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String unit : units) {
            if (!current.isEmpty() && !fits(join(current, unit), reserve)) {
                emit(current, chunks);
                current = overlap(current);
                while (!current.isEmpty() && !fits(join(current, unit), reserve)) {
                    current.remove(0);
                }
            }
            current.add(unit);
        }
        if (!current.isEmpty()) {
            emit(current, chunks);
        }
        return chunks;
    }

    private List<String> overlap(List<String> previous) {
        List<String> tail = new ArrayList<>();
        int budget = properties.overlapTokens();
        for (int i = previous.size() - 1; i > 0 && budget > 0; i--) {
            int size = tokens.count(previous.get(i));
            if (size > budget) {
                break;
            }
            tail.add(0, previous.get(i));
            budget -= size;
        }
        return tail;
    }

    private void emit(List<String> units, List<Chunk> chunks) {
        String text = String.join("\n\n", units);
        chunks.add(new Chunk(chunks.size(), text, tokens.count(text)));
    }

    private static String join(List<String> units, String next) {
        return String.join("\n\n", units) + "\n\n" + next;
    }

    private boolean fits(String text, int reserve) {
        int room = window.maxTokens() - reserve;
        return tokens.count(text) <= properties.maxTokens() && (shortAscii(text, room) || window.count(text) <= room);
    }

    /**
     * ASCII text of at most {@code room} characters cannot have more than {@code room} word pieces
     * (each piece covers at least one character, and ASCII is not expanded by the model's
     * normalisation), so the model's tokenizer need not run. Chunking ran it for every candidate
     * join and took about 7 % of ingestion's time (docs/benchmarks.md).
     */
    private static boolean shortAscii(String text, int room) {
        if (text.length() > room) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }
}
