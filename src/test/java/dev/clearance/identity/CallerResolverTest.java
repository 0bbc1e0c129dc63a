package dev.clearance.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.contract.Scopes;
import io.micronaut.security.authentication.Authentication;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallerResolverTest {

    private final CallerResolver resolver = new CallerResolver(new IdentityProperties("org_id", "default"));

    @Test
    void mapsSubTenantActorAndScopes() {
        Caller caller = resolver.resolve(Authentication.build(
                "auth0|alice",
                Map.of("org_id", "org_acme", "act", Map.of("sub", "hr-bot"), "scope", "documents:write  openid")));
        assertEquals("org_acme", caller.tenant());
        assertEquals("auth0|alice", caller.userId());
        assertEquals(Optional.of("hr-bot"), caller.agentId());
        assertTrue(caller.hasScope("documents:write"));
        assertEquals(
                List.of("user:auth0|alice", "agent:hr-bot"),
                caller.principals().stream().map(Principal::subject).toList());
    }

    @Test
    void tokensWithoutTenantUseTheDefaultTenant() {
        Caller caller = resolver.resolve(Authentication.build("bob", Map.of()));
        assertEquals("default", caller.tenant());
        assertEquals(Optional.empty(), caller.agentId());
        assertEquals(
                List.of("user:bob"),
                caller.principals().stream().map(Principal::subject).toList());
    }

    @Test
    void refusesIdsThatWouldChangeTheMeaningOfAnAuthorizationId() {
        assertThrows(
                InvalidIdentityException.class,
                () -> resolver.resolve(Authentication.build("bob", Map.of("org_id", "acme/../globex"))));
        assertThrows(InvalidIdentityException.class, () -> resolver.resolve(Authentication.build("user:*", Map.of())));
        assertThrows(
                InvalidIdentityException.class, () -> resolver.resolve(Authentication.build("bob#member", Map.of())));
        assertThrows(
                InvalidIdentityException.class,
                () -> resolver.resolve(Authentication.build("bob", Map.of("act", "hr-bot"))));
        assertThrows(
                InvalidIdentityException.class,
                () -> resolver.resolve(Authentication.build("bob", Map.of("act", Map.of("sub", "*")))));
    }

    @Test
    void missingScopeIsAForbiddenProblem() {
        Caller caller = resolver.resolve(Authentication.build("bob", Map.of("scope", "documents:write")));
        MissingScopeException e =
                assertThrows(MissingScopeException.class, () -> caller.requireScope(Scopes.RELATIONSHIPS_WRITE));
        assertEquals(403, e.status().getCode());
    }
}
