package dev.clearance.chunk;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import jakarta.inject.Singleton;

/**
 * Counts LLM tokens (cl100k_base) with jtokkit. The encoding tables are large (≈15 MB of heap), so
 * this singleton loads the encoding once per process and every caller shares it. Document text
 * uses the ordinary encoder, which treats special-token strings such as {@code <|endoftext|>} as
 * plain text instead of throwing.
 */
@Singleton
public final class TokenCounter {

    private final Encoding encoding;

    public TokenCounter() {
        this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    public int count(String text) {
        return encoding.countTokensOrdinary(text);
    }

    /** The longest prefix of {@code text} with at most {@code maxTokens} tokens. */
    public String truncate(String text, int maxTokens) {
        IntArrayList tokens = encoding.encodeOrdinary(text, maxTokens).getTokens();
        return encoding.decode(tokens);
    }
}
