package dev.clearance.identity;

import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

/**
 * Refuses tokens without an {@code exp} claim. The framework checks {@code exp} only when a token
 * has one, so a token minted without it would be valid forever, and a leaked one could never be
 * contained by waiting. Every identity provider this service is meant for sets {@code exp}.
 */
@Singleton
final class ExpiryRequired<T> implements GenericJwtClaimsValidator<T> {

    @Override
    public boolean validate(Claims claims, T request) {
        return claims.get("exp") != null;
    }
}
