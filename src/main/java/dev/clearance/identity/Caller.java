package dev.clearance.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The verified identity behind one request: who (user), on whose behalf an agent acts, in which
 * tenant, with which scopes. Every layer below the HTTP/MCP edge works with this record and never
 * with raw token claims.
 */
public record Caller(String tenant, String userId, Optional<String> agentId, Set<String> scopes) {

    public Caller {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(userId, "userId");
        agentId = Objects.requireNonNullElse(agentId, Optional.empty());
        scopes = Set.copyOf(scopes);
    }

    /** The principals whose access is intersected: the user, and the agent when one acts. */
    public List<Principal> principals() {
        List<Principal> principals = new ArrayList<>(2);
        principals.add(new Principal(Principal.Kind.USER, userId));
        agentId.ifPresent(agent -> principals.add(new Principal(Principal.Kind.AGENT, agent)));
        return List.copyOf(principals);
    }

    /**
     * Who decides what this caller sees, as one string ("user:alice" or "user:alice agent:bot"):
     * callers with equal subjects in one tenant see the same documents, so caches are keyed by it.
     */
    public String subjects() {
        return principals().stream().map(Principal::subject).collect(java.util.stream.Collectors.joining(" "));
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** Throws {@link MissingScopeException} unless the token carries {@code scope}. */
    public void requireScope(String scope) {
        if (!hasScope(scope)) {
            throw new MissingScopeException(scope);
        }
    }
}
