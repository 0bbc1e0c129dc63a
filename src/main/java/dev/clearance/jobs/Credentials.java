package dev.clearance.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearance.contract.Scopes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The bearer token of a run: a service token from the environment, or a token the service issues
 * itself when it runs in demo mode. Demo tokens are short-lived, so they can be fetched again.
 */
final class Credentials {

    static final List<String> SCOPES = List.of(Scopes.DOCUMENTS_WRITE, Scopes.RELATIONSHIPS_WRITE);

    private final DemoSource demo;
    private volatile String token;

    private Credentials(String token, DemoSource demo) {
        this.token = token;
        this.demo = demo;
    }

    static Credentials fixed(String token) {
        return new Credentials(token, null);
    }

    static Credentials demo(HttpClient http, URI base, String user, String tenant) throws CallFailed {
        DemoSource source = new DemoSource(http, base, user, tenant);
        return new Credentials(source.fetch(), source);
    }

    String token() {
        return token;
    }

    /** Fetches a fresh demo token; false when the token cannot be renewed (it came from outside). */
    synchronized boolean refresh() throws CallFailed {
        if (demo == null) {
            return false;
        }
        token = demo.fetch();
        return true;
    }

    private record DemoSource(HttpClient http, URI base, String user, String tenant) {

        String fetch() throws CallFailed {
            ObjectMapper json = new ObjectMapper();
            try {
                byte[] body = json.writeValueAsBytes(Map.of("user", user, "tenant", tenant, "scopes", SCOPES));
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/demo/token"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 404) {
                    throw new CallFailed(
                            "the service at " + base + " does not issue demo tokens (demo mode is off); "
                                    + "set CLEARANCE_TOKEN instead",
                            404,
                            true);
                }
                if (response.statusCode() != 200) {
                    throw new CallFailed(
                            "demo token: " + Problems.reason(json, response.statusCode(), response.body()),
                            response.statusCode(),
                            true);
                }
                JsonNode node = json.readTree(response.body());
                return node.path("accessToken").asText();
            } catch (IOException e) {
                throw new CallFailed("cannot reach " + base + " for a demo token: " + e, 0, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailed("interrupted", 0, true);
            }
        }
    }
}
