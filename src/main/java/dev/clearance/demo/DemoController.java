package dev.clearance.demo;

import com.nimbusds.jose.JOSEException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;
import java.util.Map;

/** Demo identity provider endpoints; present only when the demo is enabled. */
@Controller("/demo")
@Secured(SecurityRule.IS_ANONYMOUS)
@Requires(property = "clearance.demo.enabled", value = "true")
@Hidden
class DemoController {

    private final DemoIssuer issuer;

    DemoController(DemoIssuer issuer) {
        this.issuer = issuer;
    }

    /** Who the token is for. */
    @Serdeable
    record TokenRequest(
            @NotBlank String user,
            @Nullable String tenant,
            @Nullable String agent,
            @Nullable List<String> scopes) {}

    /** A signed demo token. */
    @Serdeable
    record TokenResponse(String accessToken, String tokenType) {}

    @Get("/jwks.json")
    Map<String, Object> jwks() {
        return issuer.jwks();
    }

    @Post("/token")
    TokenResponse token(@Valid @Body TokenRequest request) throws JOSEException {
        List<String> scopes = request.scopes() == null ? List.of() : request.scopes();
        return new TokenResponse(issuer.sign(request.user(), request.tenant(), request.agent(), scopes), "Bearer");
    }
}
