package dev.clearance.mcp;

import dev.clearance.documents.DocumentLookup;
import dev.clearance.identity.Caller;
import dev.clearance.identity.CallerResolver;
import dev.clearance.identity.InvalidIdentityException;
import dev.clearance.platform.ProblemException;
import dev.clearance.platform.RequestIds;
import dev.clearance.search.SearchRequest;
import dev.clearance.search.SearchService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import io.micronaut.mcp.annotations.Tool;
import io.micronaut.mcp.annotations.ToolArg;
import io.micronaut.mcp.server.context.MicronautMcpTransportContext;
import io.micronaut.security.authentication.Authentication;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The retrieval tools for AI agents. Thin: identity comes from the bearer token of the MCP request
 * (user, or agent acting for a user via {@code act}), never from tool arguments, and the answers
 * are exactly what {@code POST /v1/search} and {@code GET /v1/documents/{id}} would return.
 */
@Singleton
class SearchTools {

    private final SearchService search;
    private final DocumentLookup documents;
    private final CallerResolver callers;
    private final JsonMapper json;

    SearchTools(SearchService search, DocumentLookup documents, CallerResolver callers, JsonMapper json) {
        this.search = search;
        this.documents = documents;
        this.callers = callers;
        this.json = json;
    }

    @Tool(
            name = "search_documents",
            title = "Search documents",
            description = "Finds the passages most relevant to a question among the documents the signed-in user "
                    + "(and this agent) may read. Returns passages with citations (documentId, title, source, "
                    + "position) and how many were returned. Use it before answering questions about internal documents; "
                    + "cite documentId and title.",
            annotations =
                    @Tool.ToolAnnotations(
                            title = "Search documents",
                            readOnlyHint = true,
                            destructiveHint = false,
                            idempotentHint = true,
                            openWorldHint = false))
    McpSchema.CallToolResult searchDocuments(
            @ToolArg(name = "query", description = "The question or keywords, in natural language") String query,
            @ToolArg(
                            name = "topK",
                            description = "How many passages to return, 1 to 50; 0 means the default, "
                                    + SearchRequest.DEFAULT_TOP_K)
                    int topK,
            @ToolArg(
                            name = "explain",
                            description = "Optional; true adds to each passage why the signed-in user and this agent"
                                    + " may read its document (the chain of access grants)")
                    @Nullable
                    Boolean explain,
            MicronautMcpTransportContext context) {
        return respond(() -> search.search(
                caller(context),
                new SearchRequest(query, topK == 0 ? null : topK, null, null, explain),
                RequestIds.current(),
                "mcp.search_documents"));
    }

    @Tool(
            name = "get_document",
            title = "Get document metadata",
            description = "Returns the title, source, folder, metadata and size of one document by id, if the "
                    + "signed-in user (and this agent) may read it; otherwise reports that it was not found.",
            annotations =
                    @Tool.ToolAnnotations(
                            title = "Get document metadata",
                            readOnlyHint = true,
                            destructiveHint = false,
                            idempotentHint = true,
                            openWorldHint = false))
    McpSchema.CallToolResult getDocument(
            @ToolArg(name = "id", description = "The document id, as returned by search_documents") String id,
            MicronautMcpTransportContext context) {
        return respond(() -> documents.get(caller(context), id, RequestIds.current(), "mcp_get"));
    }

    /**
     * Tool results, not protocol errors: a refusal (not found, not allowed, authorization
     * unavailable) is an {@code isError} result the model can read, with the problem type and
     * detail but never any document text.
     */
    private McpSchema.CallToolResult respond(Supplier<Object> work) {
        try {
            return McpSchema.CallToolResult.builder()
                    .addTextContent(json.writeValueAsString(work.get()))
                    .isError(false)
                    .build();
        } catch (ProblemException e) {
            return McpSchema.CallToolResult.builder()
                    .addTextContent(e.type() + ": " + e.getMessage())
                    .isError(true)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Caller caller(MicronautMcpTransportContext context) {
        if (context == null || !(context.principal() instanceof Authentication authentication)) {
            throw new InvalidIdentityException("The MCP request carries no verified identity.");
        }
        return callers.resolve(authentication);
    }
}
