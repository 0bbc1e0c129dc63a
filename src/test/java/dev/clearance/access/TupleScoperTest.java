package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.platform.InputLimits;
import dev.openfga.sdk.api.client.ApiClient;
import io.micronaut.core.io.ResourceResolver;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Validation against the real model file (parsed locally; no OpenFGA call is made). */
class TupleScoperTest {

    private final TupleScoper scoper = new TupleScoper(model(), new InputLimits(4000, 200, 2_000_000, 100, 100, 2000));

    private static FgaModel model() {
        FgaProperties properties = new FgaProperties(
                "http://127.0.0.1:9",
                null,
                null,
                "s",
                "classpath:fga/model.fga",
                "can_view",
                50,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                0,
                8,
                null,
                null,
                null,
                null);
        return new FgaModel(new ApiClient(), properties, new ResourceResolver());
    }

    @Test
    void objectsAndGroupsAreTenantScopedButPrincipalsAreGlobal() {
        assertEquals(
                new DesiredTuple("group:acme/eng#member", "viewer", "folder:acme/eng"),
                scoper.scope("acme", new Relationship("group:eng#member", "viewer", "folder:eng"), "w"));
        assertEquals(
                new DesiredTuple("user:bob", "member", "group:acme/eng"),
                scoper.scope("acme", new Relationship("user:bob", "member", "group:eng"), "w"));
        assertEquals(
                new DesiredTuple("user:*", "viewer", "document:acme/handbook"),
                scoper.scope("acme", new Relationship("user:*", "viewer", "document:handbook"), "w"));
        assertEquals(
                new DesiredTuple("folder:acme/eng", "parent", "folder:acme/eng-design"),
                scoper.scope("acme", new Relationship("folder:eng", "parent", "folder:eng-design"), "w"));
    }

    @Test
    void whatTheModelDoesNotAcceptIsRefusedWithTheField() {
        InvalidRelationshipException bare = assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("bob", "viewer", "document:x"), "writes[0]"));
        assertEquals("writes[0].user", bare.errors().get(0).field());
        InvalidRelationshipException relation = assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("user:bob", "can_view", "document:x"), "writes[1]"));
        assertEquals("writes[1].relation", relation.errors().get(0).field());
        assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("agent:*", "viewer", "document:x"), "w"));
        assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("user:bob", "viewer", "user:alice"), "w"));
        assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("user:bob", "viewer", "document:../globex/x"), "w"));
        assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("group:eng", "viewer", "document:x"), "w"));
    }

    @Test
    void anObjectNamingARelationIsRefusedBeforeOpenFgaSeesIt() {
        InvalidRelationshipException e = assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope("acme", new Relationship("user:bob", "member", "group:eng#member"), "writes[0]"));
        assertEquals("writes[0].object", e.errors().get(0).field());
    }

    @Test
    void idsThatWouldExceedOpenFgasObjectLengthInThisTenantAreRefused() {
        String id = "a".repeat(200);
        // 200 characters fit in a short tenant ...
        scoper.scope("acme", new Relationship("user:bob", "viewer", "document:" + id), "w");
        // ... but not behind a 64-character tenant: "document:" + 64 + "/" + 200 > 256.
        String longTenant = "t".repeat(64);
        InvalidRelationshipException e = assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope(longTenant, new Relationship("user:bob", "viewer", "document:" + id), "writes[3]"));
        assertEquals("writes[3].object", e.errors().get(0).field());
        assertTrue(
                e.errors().get(0).message().contains("at most 182 characters"),
                e.errors().get(0).message());
        assertEquals(null, scoper.localIdProblem("document", longTenant, "a".repeat(182)));
        // The configured limit applies below OpenFGA's.
        assertTrue(scoper.localIdProblem("document", "acme", "a".repeat(201)).contains("at most 200"));
    }

    @Test
    void echoedValuesAreCut() {
        InvalidRelationshipException e = assertThrows(
                InvalidRelationshipException.class,
                () -> scoper.scope(
                        "acme", new Relationship("user:" + "x y".repeat(10_000), "viewer", "document:d"), "w"));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void unscopeRemovesOnlyTheCallersTenant() {
        assertEquals("group:eng#member", TupleScoper.unscope("acme", "group:acme/eng#member"));
        assertTrue(TupleScoper.unscope("acme", "group:globex/eng#member").contains("globex"));
    }
}
