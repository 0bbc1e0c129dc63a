package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.openfga.language.DslToJsonTransformer;
import dev.openfga.sdk.api.client.ApiClient;
import dev.openfga.sdk.api.model.AuthorizationModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which models let decisions be shared between callers (ADR 0015). */
class SharingRulesTest {

    private static AuthorizationModel parse(String dsl) throws Exception {
        String json = new DslToJsonTransformer().transform(dsl);
        return new ApiClient().getObjectMapper().readValue(json, AuthorizationModel.class);
    }

    private static SharingRules rules(String dsl) throws Exception {
        return SharingRules.of(parse(dsl), "document", "can_view");
    }

    @Test
    void theShippedModelSharesGroupsFoldersAndPublicShares() throws Exception {
        SharingRules rules = rules(Files.readString(Path.of("fga/model.fga")));
        assertTrue(rules.shareable());
        assertEquals(Set.of("group#member"), rules.usersets());
        assertEquals(
                Map.of("document", Set.of("owner", "editor", "viewer"), "folder", Set.of("owner", "editor", "viewer")),
                rules.directRelations());
        assertEquals(Set.of("can_view", "owner", "editor", "viewer"), rules.sameObject());
        assertEquals(Set.of("folder"), rules.inherited());
        // user:* reaches users; agents are never covered by a public share.
        assertEquals(Set.of("user"), rules.wildcardTypes());
    }

    private static final String BASE = """
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user]
            """;

    @Test
    void anExclusionMeansEveryCallerIsCheckedAlone() throws Exception {
        // A member of a group that may view could still be blocked: the group's answer is not theirs.
        SharingRules rules = rules(BASE + """
                        type document
                          relations
                            define blocked: [user]
                            define viewer: [user, group#member]
                            define can_view: viewer but not blocked
                        """);
        assertFalse(rules.shareable());
    }

    @Test
    void anIntersectionMeansEveryCallerIsCheckedAlone() throws Exception {
        SharingRules rules = rules(BASE + """
                        type document
                          relations
                            define cleared: [user]
                            define viewer: [user, group#member]
                            define can_view: viewer and cleared
                        """);
        assertFalse(rules.shareable());
    }

    @Test
    void aConditionalGrantMeansEveryCallerIsCheckedAlone() throws Exception {
        SharingRules rules = rules(BASE + """
                        type document
                          relations
                            define viewer: [user, group#member with office_hours]
                            define can_view: viewer
                        condition office_hours(hour: int) {
                          hour >= 9 && hour < 17
                        }
                        """);
        assertFalse(rules.shareable());
    }

    @Test
    void aRelationOutsideTheSearchedOneIsNotADirectGrant() throws Exception {
        // A reviewer may not view: holding that relation must not count as a grant.
        SharingRules rules = rules(BASE + """
                        type document
                          relations
                            define reviewer: [user]
                            define viewer: [user, group#member]
                            define can_view: viewer
                        """);
        assertTrue(rules.shareable());
        assertEquals(Map.of("document", Set.of("viewer")), rules.directRelations());
        assertEquals(Set.of("can_view", "viewer"), rules.sameObject());
        assertTrue(rules.inherited().isEmpty());
        assertTrue(rules.wildcardTypes().isEmpty());
    }
}
