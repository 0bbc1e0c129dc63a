package dev.clearance.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real identity provider for tests: an RSA key whose public half is served as JWKS over HTTP on
 * loopback, exactly as the service fetches it in production. Tokens are minted per test.
 */
public final class TestIdp implements AutoCloseable {

    public static final String ISSUER = "https://idp.test/";
    public static final String AUDIENCE = "clearance-api";

    private final RSAKey key;
    private final HttpServer server;
    private final AtomicInteger jwksRequests = new AtomicInteger();

    public TestIdp() {
        try {
            key = new RSAKeyGenerator(2048).keyID("test-key").generate();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server.createContext("/.well-known/jwks.json", exchange -> {
            jwksRequests.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        server.start();
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json";
    }

    /** How often the JWKS was fetched (by the service under test) since this IdP started. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    public RSAKey key() {
        return key;
    }

    /** A valid token for {@code user} in {@code tenant} with the given scopes (space separated). */
    public String token(String user, String tenant, String scopes) {
        return token(user, tenant, scopes, b -> {});
    }

    /** A valid token for an agent acting on behalf of {@code user}. */
    public String agentToken(String user, String tenant, String agent) {
        return token(user, tenant, "", b -> b.claim("act", Map.of("sub", agent)));
    }

    public String token(String user, String tenant, String scopes, Consumer<JWTClaimsSet.Builder> customise) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)));
        if (tenant != null) {
            claims.claim("org_id", tenant);
        }
        if (scopes != null && !scopes.isBlank()) {
            claims.claim("scope", scopes);
        }
        customise.accept(claims);
        return sign(
                claims.build(),
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build());
    }

    public String sign(JWTClaimsSet claims, JWSHeader header) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
