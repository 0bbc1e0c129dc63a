package dev.clearance.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server that speaks the OpenAI chat-completions protocol (plain and streamed), for
 * tests of {@code /v1/ask}. It records every prompt it receives, so tests can check which text
 * reached "the model", and answers by citing source [1].
 */
public final class StandInChatServer implements AutoCloseable {

    public static final String[] ANSWER_PARTS = {"The handbook ", "says so ", "[1]."};

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<String> prompts = new CopyOnWriteArrayList<>();
    private volatile boolean failing;

    public StandInChatServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/v1/chat/completions", this::complete);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every message text of every request received, in order. */
    public List<String> prompts() {
        return List.copyOf(prompts);
    }

    public void clear() {
        prompts.clear();
    }

    /** From now on, answer every request with HTTP 500. */
    public void failing(boolean failing) {
        this.failing = failing;
    }

    public static String answer() {
        return String.join("", ANSWER_PARTS);
    }

    private void complete(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            StringBuilder text = new StringBuilder();
            request.path("messages")
                    .forEach(m -> text.append(m.path("content").asText()).append('\n'));
            prompts.add(text.toString());
            if (failing) {
                send(exchange, 500, "application/json", "{\"error\":{\"message\":\"model overloaded\"}}");
                return;
            }
            if (request.path("stream").asBoolean(false)) {
                stream(exchange);
            } else {
                String body = JSON.writeValueAsString(JSON.createObjectNode()
                        .put("id", "cmpl-1")
                        .put("object", "chat.completion")
                        .put("created", 1)
                        .put("model", "stand-in")
                        .set(
                                "choices",
                                JSON.createArrayNode()
                                        .add(JSON.createObjectNode()
                                                .put("index", 0)
                                                .put("finish_reason", "stop")
                                                .set(
                                                        "message",
                                                        JSON.createObjectNode()
                                                                .put("role", "assistant")
                                                                .put("content", answer())))));
                send(exchange, 200, "application/json", body);
            }
        }
    }

    private void stream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String part : ANSWER_PARTS) {
            event(out, chunk(JSON.createObjectNode().put("content", part), null));
        }
        event(out, chunk(JSON.createObjectNode(), "stop"));
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String chunk(JsonNode delta, String finish) throws IOException {
        var choice = JSON.createObjectNode().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        var node = JSON.createObjectNode()
                .put("id", "cmpl-1")
                .put("object", "chat.completion.chunk")
                .put("created", 1)
                .put("model", "stand-in");
        node.set("choices", JSON.createArrayNode().add(choice));
        return JSON.writeValueAsString(node);
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
