package dev.clearance.access;

import dev.openfga.sdk.api.model.AuthorizationModel;
import dev.openfga.sdk.api.model.ObjectRelation;
import dev.openfga.sdk.api.model.RelationMetadata;
import dev.openfga.sdk.api.model.RelationReference;
import dev.openfga.sdk.api.model.TypeDefinition;
import dev.openfga.sdk.api.model.Userset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the authorization model allows {@link SubjectSets} to share between callers, found by
 * walking the model from the searched relation (ADR 0015).
 *
 * <p>Sharing a decision made for a group (or a folder, or {@code user:*}) with each of its members
 * is only right when access is monotonic: a member of a group that may view a document may view
 * it too. That holds when every relation reached from {@code document#can_view} is built from
 * direct grants, computed relations, tuple-to-userset and union alone, with no condition on any
 * grant. An intersection or an exclusion ({@code but not}) breaks it, so does a condition, whose
 * truth depends on the request; the rules then say {@link #shareable()} false and every caller is
 * checked on its own, as before.
 *
 * @param shareable whether decisions may be shared at all
 * @param usersets userset kinds a principal can belong to, as {@code type#relation} (e.g. {@code
 *     group#member}): a caller's memberships are listed for each
 * @param directRelations per object type reached, the relations a principal may hold directly
 *     that lead to the searched relation
 * @param sameObject relations of the searched type that grant it on the same object (a direct
 *     grant of one of them allows that document without asking)
 * @param inherited object types reached through a tuple-to-userset: a direct grant on one of them
 *     can reach other objects (a folder's documents) and becomes a shared subject
 * @param wildcardTypes principal types that a public grant ({@code user:*}) can reach
 */
record SharingRules(
        boolean shareable,
        Set<String> usersets,
        Map<String, Set<String>> directRelations,
        Set<String> sameObject,
        Set<String> inherited,
        Set<String> wildcardTypes) {

    static final SharingRules NONE = new SharingRules(false, Set.of(), Map.of(), Set.of(), Set.of(), Set.of());

    private record Node(String type, String relation, boolean same) {}

    /** The rules for checking {@code relation} on {@code type} under {@code model}. */
    static SharingRules of(AuthorizationModel model, String type, String relation) {
        Map<String, TypeDefinition> types = new HashMap<>();
        for (TypeDefinition definition : model.getTypeDefinitions()) {
            types.put(definition.getType(), definition);
        }
        Set<String> usersets = new HashSet<>();
        Map<String, Set<String>> direct = new HashMap<>();
        Set<String> same = new HashSet<>();
        Set<String> inherited = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        Set<Node> seen = new HashSet<>();
        Deque<Node> work = new ArrayDeque<>(List.of(new Node(type, relation, true)));
        while (!work.isEmpty()) {
            Node node = work.poll();
            if (!seen.add(node)) {
                continue;
            }
            if (node.same()) {
                same.add(node.relation());
            }
            TypeDefinition definition = types.get(node.type());
            Userset rewrite = definition == null || definition.getRelations() == null
                    ? null
                    : definition.getRelations().get(node.relation());
            if (rewrite == null) {
                return NONE;
            }
            Deque<Userset> parts = new ArrayDeque<>(List.of(rewrite));
            while (!parts.isEmpty()) {
                Userset part = parts.poll();
                if (part.getIntersection() != null || part.getDifference() != null) {
                    return NONE;
                } else if (part.getUnion() != null) {
                    parts.addAll(part.getUnion().getChild());
                } else if (part.getComputedUserset() != null) {
                    work.add(new Node(node.type(), part.getComputedUserset().getRelation(), node.same()));
                } else if (part.getTupleToUserset() != null) {
                    ObjectRelation tupleset = part.getTupleToUserset().getTupleset();
                    String computed =
                            part.getTupleToUserset().getComputedUserset().getRelation();
                    for (RelationReference target : directTypes(definition, tupleset.getRelation())) {
                        if (hasCondition(target)) {
                            return NONE;
                        }
                        inherited.add(target.getType());
                        work.add(new Node(target.getType(), computed, false));
                    }
                } else if (part.getThis() != null) {
                    for (RelationReference grantee : directTypes(definition, node.relation())) {
                        if (hasCondition(grantee)) {
                            return NONE;
                        }
                        if (grantee.getWildcard() != null) {
                            wildcards.add(grantee.getType());
                        } else if (present(grantee.getRelation())) {
                            usersets.add(grantee.getType() + "#" + grantee.getRelation());
                        }
                    }
                    direct.computeIfAbsent(node.type(), t -> new HashSet<>()).add(node.relation());
                } else {
                    return NONE;
                }
            }
        }
        return new SharingRules(
                true,
                Set.copyOf(usersets),
                copy(direct),
                Set.copyOf(same),
                Set.copyOf(inherited),
                Set.copyOf(wildcards));
    }

    private static List<RelationReference> directTypes(TypeDefinition definition, String relation) {
        if (definition.getMetadata() == null || definition.getMetadata().getRelations() == null) {
            return List.of();
        }
        RelationMetadata metadata = definition.getMetadata().getRelations().get(relation);
        return metadata == null || metadata.getDirectlyRelatedUserTypes() == null
                ? List.of()
                : metadata.getDirectlyRelatedUserTypes();
    }

    private static boolean hasCondition(RelationReference reference) {
        return present(reference.getCondition());
    }

    private static boolean present(String value) {
        return value != null && !value.isEmpty();
    }

    private static Map<String, Set<String>> copy(Map<String, Set<String>> map) {
        Map<String, Set<String>> out = new HashMap<>();
        map.forEach((k, v) -> out.put(k, Set.copyOf(v)));
        return Map.copyOf(out);
    }
}
