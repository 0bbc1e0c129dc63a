package dev.clearance.testsupport;

import dev.clearance.mcp.JacksonClientJsonMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** MCP clients (the official Java SDK over Streamable HTTP) for tests, with a bearer token. */
public final class McpClients {

    private McpClients() {}

    /** An initialized client for {@code baseUrl}/mcp that sends {@code token} on every request. */
    public static McpSyncClient connect(String baseUrl, String token) {
        return connect(baseUrl, token, null);
    }

    /** As {@link #connect(String, String)}, sending {@code requestId} as {@code X-Request-Id} too. */
    public static McpSyncClient connect(String baseUrl, String token, String requestId) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint("/mcp")
                .jsonMapper(new JacksonClientJsonMapper())
                .customizeRequest(request -> {
                    request.header("Authorization", "Bearer " + token);
                    if (requestId != null) {
                        request.header("X-Request-Id", requestId);
                    }
                })
                .build();
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                // The tools declare no output schema; the client would only validate against one.
                .jsonSchemaValidator((schema, content) ->
                        JsonSchemaValidator.ValidationResponse.asInvalid("unexpected output schema: " + schema))
                .build();
        client.initialize();
        return client;
    }

    /** Calls one tool with one connection. */
    public static McpSchema.CallToolResult call(String baseUrl, String token, String tool, Map<String, Object> args) {
        return call(baseUrl, token, tool, args, null);
    }

    /** Calls one tool with one connection whose requests carry the client's {@code X-Request-Id}. */
    public static McpSchema.CallToolResult call(
            String baseUrl, String token, String tool, Map<String, Object> args, String requestId) {
        try (McpSyncClient client = connect(baseUrl, token, requestId)) {
            return client.callTool(new McpSchema.CallToolRequest(tool, args));
        }
    }

    /** The text content of a tool result. */
    public static String text(McpSchema.CallToolResult result) {
        return result.content().stream()
                .filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text())
                .collect(Collectors.joining());
    }
}
