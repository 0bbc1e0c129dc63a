package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;

class TextExtractorTest {

    private final TextExtractor extractor = new TextExtractor();

    @Test
    void htmlKeepsContentAndDropsBoilerplate() {
        String html = "<html><body><nav>Home | About</nav><h1>Policy</h1><p>Thirty days of leave.</p>"
                + "<script>track()</script><footer>© Acme</footer></body></html>";
        TextExtractor.Extracted extracted = extractor.extract(null, html, null);
        assertEquals(TextExtractor.HTML, extracted.mimeType());
        assertTrue(extracted.text().contains("Thirty days of leave."));
        assertFalse(extracted.text().contains("track()"));
        assertFalse(extracted.text().contains("Home | About"));
        assertFalse(extracted.text().contains("Acme"));
    }

    @Test
    void pdfTextIsExtracted() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PDDocument document = new PDDocument()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                content.newLineAtOffset(72, 700);
                content.showText("Quarterly results are confidential.");
                content.endText();
            }
            document.save(bytes);
        }
        TextExtractor.Extracted extracted =
                extractor.extract(null, null, Base64.getEncoder().encodeToString(bytes.toByteArray()));
        assertEquals(TextExtractor.PDF, extracted.mimeType());
        assertTrue(extracted.text().contains("Quarterly results are confidential."));
    }

    @Test
    void corruptOrUnsupportedInputIsRefusedNamingTheField() {
        String corruptPdf = Base64.getEncoder().encodeToString("%PDF-1.7 garbage".getBytes());
        InvalidDocumentException pdf =
                assertThrows(InvalidDocumentException.class, () -> extractor.extract(null, null, corruptPdf));
        assertEquals("contentBase64", pdf.errors().get(0).field());
        InvalidDocumentException type =
                assertThrows(InvalidDocumentException.class, () -> extractor.extract("image/png", "x", null));
        assertEquals("mimeType", type.errors().get(0).field());
        String invalidUtf8 = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xC3, (byte) 0x28});
        assertThrows(InvalidDocumentException.class, () -> extractor.extract("text/plain", null, invalidUtf8));
        assertThrows(InvalidDocumentException.class, () -> extractor.extract("text/plain", "   ", null));
    }
}
