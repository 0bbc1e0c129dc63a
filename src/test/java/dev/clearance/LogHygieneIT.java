package dev.clearance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the service logs while it serves, refuses and fails requests: every event at INFO and above
 * (the production level) is captured. Document text, queries and bearer tokens never appear; the
 * lines of a request carry its request id and, once the token is verified, tenant, user and agent.
 */
@MicronautTest
class LogHygieneIT extends IntegrationTest {

    private static final String SECRET = "The vault combination is 31-41-59 and only Quinn knows it.";

    @Inject
    @Client("/")
    HttpClient http;

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            events.add(event);
        }
    };
    private Level rootLevel;

    @BeforeAll
    void capture() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        capture.start();
        root.addAppender(capture);
    }

    @AfterAll
    void release() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(capture);
        root.setLevel(rootLevel);
    }

    @Test
    void secretsNeverReachTheLogsAndRequestsCarryWhoAsked() {
        Api api = new Api(http.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        String quinn = IDP.token("quinn", tenant, "");
        String agent = IDP.agentToken("quinn", tenant, "vault-bot");

        HttpResponse<Map> put =
                api.put(admin, "vault", Map.of("title", "Vault", "text", SECRET, "viewers", List.of("user:quinn")));
        assertEquals(201, put.getStatus().getCode());
        assertTrue(api.searchIds(quinn, SECRET, 5).contains("vault"));
        api.exchange(HttpRequest.POST("/mcp", Map.of("jsonrpc", "2.0", "id", 1, "method", "tools/list")), quinn);
        // Refusals and failures, with the secret in the input.
        api.exchange(HttpRequest.PUT("/v1/documents/vault2", Map.of("title", "t", "text", SECRET + "\u0000")), admin);
        api.exchange(
                HttpRequest.PUT("/v1/documents/vault3", "{\"title\":\"" + SECRET + "\",\"text\":")
                        .contentType(MediaType.APPLICATION_JSON_TYPE),
                admin);
        api.search(quinn, Map.of("query", SECRET, "topK", 99));
        api.search(quinn + "x", Map.of("query", SECRET));
        api.exchange(HttpRequest.GET("/v1/documents/vault").header("X-Request-Id", "hygiene-quinn-404"), agent);
        api.exchange(HttpRequest.GET("/v1/documents/nowhere").header("X-Request-Id", "hygiene-quinn-own"), quinn);

        assertFalse(events.isEmpty(), "nothing was logged");
        List<String> forbidden = List.of(
                SECRET,
                "31-41-59",
                admin,
                quinn,
                agent,
                admin.substring(admin.lastIndexOf('.') + 1),
                quinn.substring(quinn.lastIndexOf('.') + 1));
        for (ILoggingEvent event : events) {
            String rendered = event.getFormattedMessage() + " " + event.getMDCPropertyMap()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            for (String secret : forbidden) {
                assertFalse(
                        rendered.contains(secret),
                        "a log line of " + event.getLoggerName() + " contains a secret: " + rendered);
            }
        }

        ILoggingEvent own = onlyEvent("hygiene-quinn-own");
        assertEquals(tenant, own.getMDCPropertyMap().get("tenant"));
        assertEquals("quinn", own.getMDCPropertyMap().get("user"));
        assertFalse(own.getMDCPropertyMap().containsKey("agent"));
        ILoggingEvent viaAgent = onlyEvent("hygiene-quinn-404");
        assertEquals(tenant, viaAgent.getMDCPropertyMap().get("tenant"));
        assertEquals("quinn", viaAgent.getMDCPropertyMap().get("user"));
        assertEquals("vault-bot", viaAgent.getMDCPropertyMap().get("agent"));
    }

    private ILoggingEvent onlyEvent(String requestId) {
        List<ILoggingEvent> matching = events.stream()
                .filter(e -> requestId.equals(e.getMDCPropertyMap().get("clientRequestId")))
                .toList();
        assertEquals(1, matching.size(), "log lines of " + requestId + ": " + matching);
        return matching.get(0);
    }
}
