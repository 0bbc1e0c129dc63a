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
    private final DemoProperties properties;

    DemoController(DemoIssuer issuer, DemoProperties properties) {
        this.issuer = issuer;
        this.properties = properties;
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

    /** The tenant of the demo corpus and the people (and agent) it was written for. */
    @Serdeable
    record Users(String tenant, List<DemoPeople.Person> users) {}

    @Get("/jwks.json")
    Map<String, Object> jwks() {
        return issuer.jwks();
    }

    @Post("/token")
    TokenResponse token(@Valid @Body TokenRequest request) throws JOSEException {
        List<String> scopes = request.scopes() == null ? List.of() : request.scopes();
        return new TokenResponse(issuer.sign(request.user(), request.tenant(), request.agent(), scopes), "Bearer");
    }

    /** Lets the web page offer one-click sign-in as the demo people; absent when the demo is off. */
    @Get("/users")
    Users users() {
        return new Users(properties.tenant(), DemoPeople.ALL);
    }
}
