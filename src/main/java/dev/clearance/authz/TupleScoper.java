package dev.clearance.authz;

import dev.clearance.web.Problem;
import dev.openfga.sdk.api.model.RelationMetadata;
import dev.openfga.sdk.api.model.RelationReference;
import dev.openfga.sdk.api.model.TypeDefinition;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates client relationships against the authorization model and turns tenant-relative ids
 * into stored ids. Principals ({@code user}, {@code agent}) are global token subjects; every other
 * object gets the tenant prefix. What the model does not allow is a 400 here, before OpenFGA sees it.
 */
@Singleton
public final class TupleScoper {

    private static final Set<String> GLOBAL_TYPES = Set.of("user", "agent");
    private static final Pattern PRINCIPAL_ID = Pattern.compile("[^\\s#:*\\p{Cntrl}]{1,256}");

    private final FgaStore store;

    TupleScoper(FgaStore store) {
        this.store = store;
    }

    public ScopedTuple scope(String tenant, Relationship relationship, String field) {
        List<Problem.FieldError> errors = new ArrayList<>();
        Ref object = parse(relationship.object(), field + ".object", errors);
        Ref user = parse(relationship.user(), field + ".user", errors);
        if (errors.isEmpty()) {
            check(object, relationship.relation(), user, field, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidRelationshipException(errors);
        }
        return new ScopedTuple(user.scoped(tenant), relationship.relation(), object.scoped(tenant));
    }

    /** Tenant-relative form of a stored subject, e.g. {@code group:acme/eng#member → group:eng#member}. */
    public static String unscope(String tenant, String stored) {
        return stored.replaceFirst("^([a-z_]+):" + Pattern.quote(tenant) + "/", "$1:");
    }

    private void check(Ref object, String relation, Ref user, String field, List<Problem.FieldError> errors) {
        Optional<TypeDefinition> type = store.localModel().getTypeDefinitions().stream()
                .filter(t -> t.getType().equals(object.type()))
                .findFirst();
        if (type.isEmpty() || GLOBAL_TYPES.contains(object.type())) {
            errors.add(new Problem.FieldError(field + ".object", "unknown object type '" + object.type() + "'"));
            return;
        }
        Map<String, RelationMetadata> relations = type.get().getMetadata() == null
                ? Map.of()
                : type.get().getMetadata().getRelations();
        RelationMetadata metadata = relations == null ? null : relations.get(relation);
        List<RelationReference> allowed = metadata == null ? null : metadata.getDirectlyRelatedUserTypes();
        if (allowed == null || allowed.isEmpty()) {
            errors.add(new Problem.FieldError(
                    field + ".relation", "'" + relation + "' cannot be assigned on type '" + object.type() + "'"));
            return;
        }
        boolean accepted = allowed.stream()
                .anyMatch(ref -> ref.getType().equals(user.type())
                        && (ref.getWildcard() != null) == user.wildcard()
                        && java.util.Objects.equals(ref.getRelation(), user.relation()));
        if (!accepted) {
            errors.add(new Problem.FieldError(
                    field + ".user",
                    "'" + object.type() + "#" + relation + "' does not accept subjects like '" + user.raw() + "'"));
        }
    }

    private static Ref parse(String raw, String field, List<Problem.FieldError> errors) {
        int colon = raw == null ? -1 : raw.indexOf(':');
        if (colon <= 0) {
            errors.add(new Problem.FieldError(field, "expected 'type:id', e.g. 'user:alice' or 'group:eng#member'"));
            return null;
        }
        String type = raw.substring(0, colon);
        String rest = raw.substring(colon + 1);
        String relation = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            relation = rest.substring(hash + 1);
            rest = rest.substring(0, hash);
        }
        boolean wildcard = rest.equals("*");
        boolean global = GLOBAL_TYPES.contains(type);
        boolean validId = wildcard
                ? global && relation == null
                : (global ? PRINCIPAL_ID.matcher(rest).matches() : ObjectIds.isValidLocalId(rest));
        if (!validId || (relation != null && !relation.matches("[a-z_]{1,50}"))) {
            errors.add(new Problem.FieldError(field, "'" + raw + "' is not a valid subject or object id"));
            return null;
        }
        return new Ref(raw, type, rest, relation, wildcard, global);
    }

    private record Ref(String raw, String type, String id, String relation, boolean wildcard, boolean global) {
        String scoped(String tenant) {
            String base = global ? type + ":" + id : ObjectIds.scoped(type, tenant, id);
            return relation == null ? base : base + "#" + relation;
        }
    }
}
