package dev.clearance.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.TestIdp;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page as an employee uses it, in headless Chromium: paste a token (or pick a demo user),
 * search, read the results. Two people of one tenant ask the same question and each sees only their
 * own document; the request id the page shows is the one the audit log recorded for that search.
 *
 * <p>Needs Debian's chromium and chromium-driver ({@code scripts/browser.sh install}); without them
 * the test fails rather than skips, so a machine that cannot run it never passes silently.
 */
@MicronautTest
class WebPageIT extends IntegrationTest {

    private static final Path CHROMIUM = Path.of(env("CLEARANCE_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(env("CLEARANCE_CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private static final String ALICES = "Alice's lighthouse roadmap";
    private static final String HANAS = "Hana's lighthouse hiring plan";
    private static final String SHARED = "Lighthouse <em>FAQ</em> & handbook";
    private static final String QUERY = "lighthouse project plans";

    /** The demo identity provider signs with the service's own key; the port is known up front for its JWKS. */
    private final int port = freePort();

    @Inject
    EmbeddedServer server;

    @Inject
    @Client("/")
    HttpClient http;

    private Api api;
    private String admin;
    private Path profile;
    private ChromeDriverService service;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "micronaut.server.port",
                Integer.toString(port),
                "clearance.demo.enabled",
                "true",
                "clearance.demo.tenant",
                tenant,
                "clearance.demo.issuer",
                TestIdp.ISSUER,
                "clearance.demo.audience",
                TestIdp.AUDIENCE,
                "micronaut.security.token.jwt.signatures.jwks.demo.url",
                "http://127.0.0.1:" + port + "/demo/jwks.json");
    }

    @BeforeAll
    void loadDocumentsAndStartTheBrowser() throws IOException {
        api = new Api(http.toBlocking());
        admin = IDP.token("loader", tenant, "documents:write relationships:write audit:read");
        put(
                "alice-roadmap",
                ALICES,
                "The lighthouse project plans a beacon rewrite in spring and harbour sensors in autumn.",
                "user:alice");
        put(
                "hana-hiring",
                HANAS,
                "The lighthouse project plans to hire two keepers and a night engineer next quarter.",
                "user:hana");
        put(
                "lighthouse-faq",
                SHARED,
                "Frequently asked questions about the lighthouse project and its plans, for everyone.",
                "user:*");

        assertTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the web page test needs " + CHROMIUM + " and " + CHROMEDRIVER + ": run scripts/browser.sh install");
        // The driver's path is given, so Selenium never runs Selenium Manager (no downloads, no statistics).
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("clearance-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--no-proxy-server",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--window-size=1200,900",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withSilent(true)
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        wait = new WebDriverWait(driver, WAIT);
    }

    @AfterAll
    void stopTheBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    @BeforeEach
    void freshPage() {
        driver.get(base());
        ((JavascriptExecutor) driver).executeScript("sessionStorage.clear(); localStorage.clear();");
        driver.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    }

    /** What the page looked like at the end of each test, for whoever reads a failure. */
    @AfterEach
    void keepAScreenshot(TestInfo test) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "webpage-it"));
        String name = test.getTestMethod().map(m -> m.getName()).orElse("page");
        Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void twoPeoplePastingTheirTokensSeeOnlyTheirOwnDocuments() {
        String alice = IDP.token("alice", tenant, "");
        pasteToken(alice);
        assertTrue(text("whoami").contains("alice"), text("whoami"));
        assertEquals(alice, script("return sessionStorage.getItem('clearance.token')"));
        assertEquals(0L, script("return localStorage.length"));

        List<String> titles = search(QUERY);
        assertTrue(titles.contains(ALICES), titles.toString());
        assertFalse(titles.contains(HANAS), titles.toString());
        String alicesRequest = shownRequestId();
        assertAudited(alicesRequest, "alice");
        assertNoProblemShown();

        driver.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertEquals(null, script("return sessionStorage.getItem('clearance.token')"));
        assertFalse(driver.findElement(By.id("results")).isDisplayed(), "results stay hidden after signing out");

        pasteToken(IDP.token("hana", tenant, ""));
        titles = search(QUERY);
        assertTrue(titles.contains(HANAS), titles.toString());
        assertFalse(titles.contains(ALICES), titles.toString());
        String hanasRequest = shownRequestId();
        assertFalse(hanasRequest.equals(alicesRequest));
        assertAudited(hanasRequest, "hana");
        assertNoContentSecurityPolicyViolations();
    }

    @Test
    void eachResultSaysOnDemandWhyTheReaderMaySeeIt() {
        pasteToken(IDP.token("alice", tenant, ""));
        List<String> titles = search(QUERY);
        List<WebElement> results = driver.findElements(By.cssSelector("#result-list .result"));
        WebElement own = results.get(titles.indexOf(ALICES));
        WebElement shared = results.get(titles.indexOf(SHARED));
        assertTrue(own.findElements(By.cssSelector(".why-path")).isEmpty(), "reasons are shown on demand only");

        own.findElement(By.cssSelector("button.why-button")).click();
        wait.until(d -> !own.findElements(By.cssSelector(".why-path")).isEmpty());
        assertEquals(
                "user:alice", own.findElement(By.cssSelector(".why-principal")).getText());
        assertEquals(
                "user:alice viewer document:alice-roadmap",
                own.findElement(By.cssSelector(".why-path")).getText());

        shared.findElement(By.cssSelector("button.why-button")).click();
        wait.until(d -> !shared.findElements(By.cssSelector(".why-path")).isEmpty());
        assertEquals(
                "user:* viewer document:lighthouse-faq",
                shared.findElement(By.cssSelector(".why-path")).getText());
        assertNoProblemShown();
        assertNoContentSecurityPolicyViolations();
    }

    /**
     * A token with audit:read gets "Who can see this?" under each result, listing the document's
     * readers with a path each; a token without it is not offered the panel.
     */
    @Test
    void anAuditorSeesWhoCanReadAResult() {
        pasteToken(IDP.token("alice", tenant, ""));
        search(QUERY);
        assertTrue(
                driver.findElements(By.cssSelector("button.access-button")).isEmpty(),
                "no access panel without audit:read");

        freshPage();
        pasteToken(IDP.token("auditor", tenant, "audit:read"));
        List<String> titles = search(QUERY);
        assertEquals(List.of(SHARED), titles, "the auditor reads only what is shared with everyone");
        WebElement shared =
                driver.findElements(By.cssSelector("#result-list .result")).get(0);
        shared.findElement(By.cssSelector("button.access-button")).click();
        wait.until(d -> !shared.findElements(By.cssSelector(".access-subject")).isEmpty());
        List<WebElement> subjects = shared.findElements(By.cssSelector(".access-subject"));
        assertEquals(1, subjects.size());
        assertEquals(
                "user:*",
                subjects.get(0).findElement(By.cssSelector(".access-name")).getText());
        assertEquals(
                "user:* viewer document:lighthouse-faq",
                subjects.get(0).findElement(By.cssSelector(".why-path")).getText());
        assertFalse(shared.findElement(By.cssSelector("button.access-more")).isDisplayed());
        assertNoProblemShown();
        assertNoContentSecurityPolicyViolations();
    }

    @Test
    void textFromDocumentsIsShownAsTextNeverAsMarkup() {
        pasteToken(IDP.token("alice", tenant, ""));
        List<String> titles = search(QUERY);
        assertTrue(titles.contains(SHARED), "the title with markup is shown literally: " + titles);
        assertTrue(driver.findElements(By.cssSelector("#result-list em")).isEmpty());
    }

    @Test
    void withoutALanguageModelTheAnswerIsAQuietNoteNotAnError() {
        pasteToken(IDP.token("alice", tenant, ""));
        search(QUERY);
        WebElement note = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("answer-note")));
        assertEquals("No language model configured; showing search results only.", note.getText());
        assertFalse(driver.findElement(By.id("answer")).isDisplayed());
        assertNoProblemShown();

        // The page remembers that there is no model: the next search does not ask again, and says so.
        List<String> titles = search("beacon rewrite");
        assertTrue(titles.contains(ALICES), titles.toString());
        assertTrue(driver.findElement(By.id("answer-note")).isDisplayed());
        assertFalse(driver.findElement(By.id("answer")).isDisplayed());
    }

    @Test
    void aModelThatIsNotConfiguredIsAQuietNoteToo() {
        pasteToken(IDP.token("alice", tenant, ""));
        answerAskWith(
                503,
                "application/problem+json",
                Map.of(
                        "type",
                        Problem.TYPE_BASE + "llm-not-configured",
                        "title",
                        "No language model configured",
                        "status",
                        503));
        search(QUERY);
        WebElement note = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("answer-note")));
        assertEquals("No language model configured; showing search results only.", note.getText());
        assertNoProblemShown();
    }

    @Test
    void anAnswerLinksEachNumberedMarkerToItsSource() {
        pasteToken(IDP.token("alice", tenant, ""));
        answerAskWith(
                200,
                "application/json",
                Map.of(
                        "answer",
                        "The beacon is rewritten in spring [1], sensors follow in autumn [2]. <b>Unsure</b> about [7].",
                        "citations",
                        List.of(citation(1, "alice-roadmap", ALICES), citation(2, "lighthouse-faq", SHARED)),
                        "requestId",
                        "ask-request-1",
                        "model",
                        "test-model"));
        search(QUERY);
        WebElement answer = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("answer-body")));
        String text = driver.findElement(By.id("answer-text")).getText();
        assertTrue(text.contains("<b>Unsure</b> about [7]."), text);
        List<WebElement> markers = answer.findElements(By.cssSelector("#answer-text a.cite"));
        assertEquals(
                List.of("[1]", "[2]"), markers.stream().map(WebElement::getText).toList());
        assertEquals("#citation-2", markers.get(1).getDomAttribute("href"));
        assertEquals(List.of(ALICES, SHARED), texts("#citations .citation-title"));
        assertEquals("test-model", text("answer-model"));
        assertEquals("ask-request-1", text("answer-request-id"));

        markers.get(1).sendKeys(Keys.ENTER);
        wait.until(d -> "citation-2".equals(script("return document.activeElement.id")));
        assertFalse(driver.findElement(By.id("answer-note")).isDisplayed());
        assertNoProblemShown();
    }

    @Test
    void demoButtonsSignInAsTheDemoPeople() {
        WebElement demo = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("demo")));
        assertEquals(tenant, text("demo-tenant"));
        WebElement hana = demo.findElements(By.cssSelector("button.demo-user")).stream()
                .filter(b -> b.getText().startsWith("hana"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no demo button for hana: " + demo.getText()));
        hana.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("query")));
        assertTrue(text("whoami").startsWith("hana"), text("whoami"));

        List<String> titles = search(QUERY);
        assertTrue(titles.contains(HANAS), titles.toString());
        assertFalse(titles.contains(ALICES), titles.toString());
        assertAudited(shownRequestId(), "hana");
    }

    @Test
    void aRefusedTokenIsExplainedWithItsRequestId() {
        // Signed by the right key for the wrong audience: well-formed, not expired, and refused.
        String wrongAudience = IDP.token("alice", tenant, "", claims -> claims.audience("another-service"));
        pasteToken(wrongAudience);
        driver.findElement(By.id("query")).sendKeys(QUERY, Keys.ENTER);
        WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search-problem")));
        assertTrue(problem.getText().contains("Unauthorized"), problem.getText());
        assertTrue(problem.getText().contains("HTTP 401"), problem.getText());
        String requestId = problem.findElement(By.className("request-id")).getText();
        assertTrue(requestId.matches(UUID), requestId);
        assertFalse(driver.findElement(By.id("results")).isDisplayed());
    }

    @Test
    void thePageIsServedWithoutATokenAndWithAStrictContentSecurityPolicy() {
        HttpResponse<String> page = http.toBlocking().exchange(HttpRequest.GET("/"), String.class);
        assertEquals(200, page.getStatus().getCode());
        assertTrue(page.getContentType().orElseThrow().toString().startsWith("text/html"));
        String policy = page.getHeaders().get("Content-Security-Policy");
        assertNotNull(policy);
        assertTrue(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), policy);
        assertTrue(page.body().contains("assets/app.js"));

        HttpResponse<String> script = http.toBlocking().exchange(HttpRequest.GET("/assets/app.js"), String.class);
        assertTrue(script.getContentType().orElseThrow().toString().contains("javascript"));
        assertEquals("nosniff", script.getHeaders().get("X-Content-Type-Options"));

        Map<?, ?> users = http.toBlocking().retrieve(HttpRequest.GET("/demo/users"), Map.class);
        assertEquals(tenant, users.get("tenant"));
    }

    // ---- the page, as a person drives it ----------------------------------------------------------

    private void pasteToken(String token) {
        WebElement area = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        area.clear();
        area.sendKeys(token);
        driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("query")));
    }

    /** Types the query, presses Enter and returns the result titles once the status says how many. */
    private List<String> search(String query) {
        WebElement box = driver.findElement(By.id("query"));
        box.clear();
        String before = shownRequestIdOrEmpty();
        box.sendKeys(query, Keys.ENTER);
        wait.until(d -> {
            String status = text("status");
            return (status.contains("result") || status.contains("No documents"))
                    && !shownRequestIdOrEmpty().equals(before);
        });
        assertTrue(driver.findElement(By.id("results")).isDisplayed());
        return driver.findElements(By.cssSelector("#result-list .result-title")).stream()
                .map(WebElement::getText)
                .toList();
    }

    /**
     * Makes the page's calls to {@code /v1/ask} receive the given reply, whatever the service does:
     * the answer endpoint and its language model are tested where they live; here only the page's
     * rendering of their contract is.
     */
    private void answerAskWith(int status, String contentType, Map<String, ?> body) {
        script(
                "const reply = arguments;"
                        + "const real = window.fetch.bind(window);"
                        + "window.fetch = (url, init) => String(url).endsWith('v1/ask')"
                        + "  ? Promise.resolve(new Response(JSON.stringify(reply[2]), {status: reply[0],"
                        + "      headers: {'Content-Type': reply[1]}}))"
                        + "  : real(url, init);",
                status,
                contentType,
                body);
    }

    private static Map<String, Object> citation(int number, String documentId, String title) {
        return Map.of(
                "number",
                number,
                "documentId",
                documentId,
                "chunkId",
                documentId + "-0",
                "title",
                title,
                "source",
                "https://intranet.example/" + documentId,
                "position",
                0);
    }

    private List<String> texts(String css) {
        return driver.findElements(By.cssSelector(css)).stream()
                .map(WebElement::getText)
                .toList();
    }

    private String shownRequestId() {
        String id = text("request-id");
        assertTrue(id.matches(UUID), "request id shown: " + id);
        return id;
    }

    private String shownRequestIdOrEmpty() {
        Object id = script("return document.getElementById('request-id').textContent");
        return id == null ? "" : id.toString();
    }

    private void assertNoProblemShown() {
        for (String box : List.of("search-problem", "answer-problem", "sign-in-problem")) {
            assertFalse(driver.findElement(By.id(box)).isDisplayed(), box + ": " + text(box));
        }
    }

    private void assertNoContentSecurityPolicyViolations() {
        List<String> violations = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy"))
                .toList();
        assertEquals(List.of(), violations);
    }

    /** The audit log holds a search by {@code user} under exactly the request id the page showed. */
    @SuppressWarnings("rawtypes")
    private void assertAudited(String requestId, String user) {
        List<Map> records = http.toBlocking()
                .retrieve(HttpRequest.GET("/v1/admin/audit?limit=100").bearerAuth(admin), Argument.listOf(Map.class));
        Map<?, ?> record = records.stream()
                .filter(r -> requestId.equals(r.get("requestId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no audit record with request id " + requestId));
        assertEquals(user, record.get("userId"));
        assertEquals("search", record.get("action"));
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private Object script(String js, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(js, arguments);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getPort() + "/";
    }

    private void put(String id, String title, String text, String viewer) {
        int status = api.put(admin, id, Map.of("title", title, "text", text, "viewers", List.of(viewer)))
                .getStatus()
                .getCode();
        assertTrue(status == 200 || status == 201, id + " answered " + status);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
