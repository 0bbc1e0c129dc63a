package dev.clearance.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without a configured model, /v1/ask says how to configure one and search keeps working. */
@MicronautTest
class AskWithoutModelIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Test
    void askExplainsHowToConfigureAModelAndSearchStillWorks() {
        Api api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        api.put(
                admin,
                "memo",
                Map.of("title", "Memo", "text", "Quarterly planning memo", "viewers", List.of("user:kim")));
        String kim = IDP.token("kim", tenant, "");

        HttpResponse<Map> response = api.exchange(HttpRequest.POST("/v1/ask", Map.of("query", "planning")), kim);
        assertEquals(503, response.getStatus().getCode());
        assertEquals(
                "application/problem+json",
                response.getContentType().orElseThrow().toString());
        Map<?, ?> problem = response.getBody(Map.class).orElseThrow();
        assertTrue(((String) problem.get("type")).endsWith("/llm-not-configured"));
        assertTrue(((String) problem.get("detail")).contains("CLEARANCE_LLM_BASE_URL"));

        assertEquals(List.of("memo"), api.searchIds(kim, "quarterly planning", 5));
    }
}
