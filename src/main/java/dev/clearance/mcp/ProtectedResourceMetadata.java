package dev.clearance.mcp;

import dev.clearance.contract.Scopes;
import dev.clearance.platform.HostHeader;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Hidden;
import java.util.List;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), which the MCP authorization spec asks servers
 * to publish: tells an MCP client which authorization server issues tokens for this resource. The
 * 401 of an unauthenticated request points here in its {@code WWW-Authenticate} header.
 */
@Controller("/.well-known/oauth-protected-resource")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
class ProtectedResourceMetadata {

    static final List<String> SCOPES = List.of(Scopes.DOCUMENTS_WRITE, Scopes.RELATIONSHIPS_WRITE, Scopes.AUDIT_READ);

    private final String issuer;

    ProtectedResourceMetadata(@Value("${micronaut.security.token.jwt.claims-validators.issuer:}") String issuer) {
        this.issuer = issuer;
    }

    /** The metadata document. */
    @Serdeable
    record Metadata(
            String resource,
            List<String> authorization_servers,
            List<String> bearer_methods_supported,
            List<String> scopes_supported) {}

    @Get
    Metadata metadata(HttpRequest<?> request) {
        String base = HostHeader.of(request).map(host -> "http://" + host).orElse("");
        return new Metadata(base + "/mcp", issuer.isBlank() ? List.of() : List.of(issuer), List.of("header"), SCOPES);
    }
}
