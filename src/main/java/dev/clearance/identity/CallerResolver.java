package dev.clearance.identity;

import dev.clearance.contract.IdRules;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns the claims of a verified token into a {@link Caller}: {@code sub} → user, the tenant claim →
 * tenant, {@code act.sub} (RFC 8693 actor) → agent, {@code scope} → scopes.
 */
@Singleton
public final class CallerResolver {

    private final IdentityProperties properties;

    public CallerResolver(IdentityProperties properties) {
        this.properties = properties;
    }

    public Caller resolve(Authentication authentication) {
        Map<String, Object> claims = authentication.getAttributes();
        String user = require(IdRules.PRINCIPAL_ID, authentication.getName(), "sub");
        String tenant = Optional.ofNullable(claims.get(properties.tenantClaim()))
                .map(Object::toString)
                .orElse(properties.defaultTenant());
        require(IdRules.TENANT, tenant, properties.tenantClaim());
        Optional<String> agent = actor(claims.get("act"));
        return new Caller(tenant, user, agent, scopes(claims.get("scope")));
    }

    private static Optional<String> actor(Object act) {
        if (act == null) {
            return Optional.empty();
        }
        if (act instanceof Map<?, ?> map && map.get("sub") != null) {
            return Optional.of(require(IdRules.PRINCIPAL_ID, map.get("sub").toString(), "act.sub"));
        }
        throw new InvalidIdentityException("The 'act' claim must be an object with a 'sub'.");
    }

    private static Set<String> scopes(Object scope) {
        if (scope == null) {
            return Set.of();
        }
        if (scope instanceof Iterable<?> list) {
            Set<String> scopes = new java.util.HashSet<>();
            list.forEach(item -> scopes.add(item.toString()));
            return scopes;
        }
        return Arrays.stream(scope.toString().split(" "))
                .filter(s -> !s.isBlank())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String require(Pattern pattern, String value, String claim) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new InvalidIdentityException(
                    "The '" + claim + "' claim is missing or has characters that are not allowed.");
        }
        return value;
    }
}
