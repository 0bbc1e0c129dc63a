package dev.clearance.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * The web page's files keep the promises its Content-Security-Policy and its users rely on: no
 * inline script or style, nothing from another origin, every form field labelled, and data from the
 * service never parsed as HTML.
 */
class WebPageFilesTest {

    private static final Pattern LOCAL = Pattern.compile("assets/[a-z-]+\\.(js|css)");

    @Test
    void thePageLoadsOnlyItsOwnScriptAndStylesAndHasNoInlineCode() throws IOException {
        Document page = Jsoup.parse(resource("public/index.html"));
        List<Element> scripts = page.select("script");
        assertEquals(1, scripts.size());
        for (Element script : scripts) {
            assertTrue(LOCAL.matcher(script.attr("src")).matches(), script.toString());
            assertTrue(script.data().isBlank(), "inline script");
        }
        for (Element link : page.select("link[rel=stylesheet]")) {
            assertTrue(LOCAL.matcher(link.attr("href")).matches(), link.toString());
        }
        assertTrue(page.select("style").isEmpty(), "inline <style>");
        for (Element element : page.getAllElements()) {
            for (Attribute attribute : element.attributes()) {
                assertFalse(attribute.getKey().startsWith("on"), "inline handler " + element.tagName());
                assertFalse(attribute.getKey().equals("style"), "inline style on " + element.tagName());
            }
        }
        assertTrue(page.select("img, iframe, object, embed").isEmpty(), "the page works without images");
    }

    @Test
    void everyFieldHasALabelAndThePageHasLandmarks() throws IOException {
        Document page = Jsoup.parse(resource("public/index.html"));
        assertEquals("en", page.select("html").attr("lang"));
        for (Element field : page.select("input, textarea, select")) {
            String id = field.id();
            assertFalse(id.isEmpty(), field.toString());
            assertNotNull(page.selectFirst("label[for=" + id + "]"), "no label for #" + id);
        }
        assertEquals(1, page.select("main").size());
        assertEquals(1, page.select("header").size());
        assertFalse(page.select("[role=search]").isEmpty());
        assertFalse(page.select("[aria-live], [role=status]").isEmpty());
    }

    @Test
    void theScriptNeverTurnsDataIntoHtml() throws IOException {
        String script = resource("public/assets/app.js");
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
            assertFalse(script.contains(sink), "app.js uses " + sink);
        }
        assertFalse(script.contains("localStorage"), "the token belongs in sessionStorage only");
        assertTrue(script.contains("sessionStorage"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WebPageFilesTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
