package dev.clearance.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs demo tokens with a key generated at start-up (never stored). The service trusts it only
 * when the demo configuration points {@code AUTH_JWKS_URL} at {@code /demo/jwks.json}.
 */
@Singleton
@Requires(property = "clearance.demo.enabled", value = "true")
final class DemoIssuer {

    private final RSAKey key;
    private final DemoProperties properties;

    DemoIssuer(DemoProperties properties) throws JOSEException {
        this.properties = properties;
        this.key = new RSAKeyGenerator(2048)
                .keyID("demo-" + UUID.randomUUID())
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .generate();
    }

    Map<String, Object> jwks() {
        return new JWKSet(key.toPublicJWK()).toJSONObject();
    }

    String sign(String user, String tenant, String agent, List<String> scopes) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user)
                .issuer(properties.issuer())
                .audience(properties.audience())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plus(properties.tokenLifetime())))
                .claim("scope", String.join(" ", scopes));
        if (tenant != null) {
            claims.claim("org_id", tenant);
        }
        if (agent != null) {
            claims.claim("act", Map.of("sub", agent));
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
