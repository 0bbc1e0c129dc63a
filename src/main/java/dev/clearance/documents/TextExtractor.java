package dev.clearance.documents;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * Extracts searchable text from the supported formats: plain text, Markdown, HTML (boilerplate such
 * as navigation, scripts and footers dropped) and PDF. The format comes from {@code mimeType} or,
 * when absent, from the content itself. Anything else is refused with a clear error, never stored.
 */
@Singleton
public final class TextExtractor {

    public static final String PLAIN = "text/plain";
    public static final String MARKDOWN = "text/markdown";
    public static final String HTML = "text/html";
    public static final String PDF = "application/pdf";

    /** Extracted text plus the media type it was read as. */
    public record Extracted(String mimeType, String text) {}

    public Extracted extract(String declaredType, String text, String contentBase64) {
        byte[] binary = decode(contentBase64);
        String type = declaredType == null ? sniff(text, binary) : normalise(declaredType);
        String extracted = switch (type) {
            case PLAIN, MARKDOWN -> requireText(text, binary);
            case HTML -> html(requireText(text, binary));
            case PDF -> pdf(binary);
            default ->
                throw new InvalidDocumentException(
                        "mimeType",
                        "unsupported format '" + type
                                + "' (supported: text/plain, text/markdown, text/html, application/pdf)");
        };
        if (extracted.isBlank()) {
            throw new InvalidDocumentException(binary != null ? "contentBase64" : "text", "no text could be extracted");
        }
        return new Extracted(type, extracted.strip());
    }

    private static String normalise(String mimeType) {
        return mimeType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    }

    private static String sniff(String text, byte[] binary) {
        if (binary != null) {
            return binary.length >= 5 && new String(binary, 0, 5, StandardCharsets.US_ASCII).equals("%PDF-")
                    ? PDF
                    : PLAIN;
        }
        String head = text == null ? "" : text.stripLeading().toLowerCase(Locale.ROOT);
        if (head.startsWith("<!doctype html") || head.startsWith("<html")) {
            return HTML;
        }
        return head.startsWith("#") ? MARKDOWN : PLAIN;
    }

    private static byte[] decode(String contentBase64) {
        if (contentBase64 == null) {
            return null;
        }
        try {
            return Base64.getMimeDecoder().decode(contentBase64);
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException("contentBase64", "not valid base64");
        }
    }

    private static String requireText(String text, byte[] binary) {
        if (text != null) {
            return text;
        }
        if (binary == null) {
            throw new InvalidDocumentException("text", "either 'text' or 'contentBase64' is required");
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(binary))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidDocumentException("contentBase64", "text content is not valid UTF-8");
        }
        if (decoded.indexOf('\u0000') >= 0) {
            // Valid UTF-8 with NUL bytes is a binary file sent as text; it cannot be stored as text.
            throw new InvalidDocumentException(
                    "contentBase64", "the content is binary (it contains NUL bytes), not text in the declared format");
        }
        return decoded;
    }

    private static String html(String html) {
        Document document = Jsoup.parse(html);
        document.select("script, style, noscript, nav, header, footer, aside, form, iframe, svg")
                .remove();
        document.outputSettings().prettyPrint(false);
        StringBuilder text = new StringBuilder();
        for (var element : document.body().select("h1, h2, h3, h4, h5, h6, p, li, pre, td, th, blockquote")) {
            if (element.parents().stream().noneMatch(p -> p.is("p, li, pre, td, th, blockquote"))) {
                String line = element.text().strip();
                if (!line.isEmpty()) {
                    text.append(line).append("\n\n");
                }
            }
        }
        return text.isEmpty() ? document.body().text() : text.toString();
    }

    private static String pdf(byte[] binary) {
        if (binary == null) {
            throw new InvalidDocumentException("contentBase64", "a PDF must be sent as contentBase64");
        }
        try (PDDocument document = Loader.loadPDF(binary)) {
            // PostgreSQL text cannot hold NUL; a stray one in a PDF's text layer is dropped.
            return new PDFTextStripper().getText(document).replace("\u0000", "");
        } catch (IOException e) {
            throw new InvalidDocumentException(
                    "contentBase64", "the PDF could not be read: it is corrupt or encrypted");
        }
    }
}
