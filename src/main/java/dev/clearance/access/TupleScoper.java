package dev.clearance.access;

import dev.clearance.contract.IdRules;
import dev.clearance.platform.InputLimits;
import dev.clearance.platform.Problem;
import dev.openfga.sdk.api.model.RelationMetadata;
import dev.openfga.sdk.api.model.RelationReference;
import dev.openfga.sdk.api.model.TypeDefinition;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashSet;
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

    /** Echoed input is cut to this length so a problem never mirrors a huge value back. */
    private static final int ECHO_MAX = 80;

    private final FgaModel model;
    private final InputLimits limits;

    TupleScoper(FgaModel model, InputLimits limits) {
        this.model = model;
        this.limits = limits;
    }

    /**
     * What is wrong with {@code id} as the id of a {@code type} object in {@code tenant} (characters,
     * configured length, OpenFGA's object length), or null when it is acceptable.
     */
    public String localIdProblem(String type, String tenant, String id) {
        return ObjectIds.problem(type, tenant, id, limits.idMaxLength());
    }

    /**
     * Every relationship of a request, scoped; a refusal names its place ({@code writes[2].user}).
     * The same tuple twice means it once.
     */
    public List<DesiredTuple> scopeAll(String tenant, List<Relationship> relationships, String field) {
        Set<DesiredTuple> scoped = new LinkedHashSet<>();
        for (int i = 0; i < relationships.size(); i++) {
            scoped.add(scope(tenant, relationships.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(scoped);
    }

    public DesiredTuple scope(String tenant, Relationship relationship, String field) {
        List<Problem.FieldError> errors = new ArrayList<>();
        Ref object = parse(tenant, relationship.object(), field + ".object", errors);
        Ref user = parse(tenant, relationship.user(), field + ".user", errors);
        if (object != null && object.relation() != null) {
            errors.add(new Problem.FieldError(
                    field + ".object", "an object is 'type:id' without '#relation', got '" + echo(object.raw()) + "'"));
        }
        if (errors.isEmpty()) {
            check(object, relationship.relation(), user, field, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidRelationshipException(errors);
        }
        return new DesiredTuple(user.scoped(tenant), relationship.relation(), object.scoped(tenant));
    }

    /** Tenant-relative form of a stored subject, e.g. {@code group:acme/eng#member → group:eng#member}. */
    public static String unscope(String tenant, String stored) {
        return stored.replaceFirst("^([a-z_]+):" + Pattern.quote(tenant) + "/", "$1:");
    }

    private void check(Ref object, String relation, Ref user, String field, List<Problem.FieldError> errors) {
        Optional<TypeDefinition> type = model.local().getTypeDefinitions().stream()
                .filter(t -> t.getType().equals(object.type()))
                .findFirst();
        if (type.isEmpty() || GLOBAL_TYPES.contains(object.type())) {
            errors.add(new Problem.FieldError(field + ".object", "unknown object type '" + echo(object.type()) + "'"));
            return;
        }
        Map<String, RelationMetadata> relations = type.get().getMetadata() == null
                ? Map.of()
                : type.get().getMetadata().getRelations();
        RelationMetadata metadata = relations == null ? null : relations.get(relation);
        List<RelationReference> allowed = metadata == null ? null : metadata.getDirectlyRelatedUserTypes();
        if (allowed == null || allowed.isEmpty()) {
            errors.add(new Problem.FieldError(
                    field + ".relation",
                    "'" + echo(relation) + "' cannot be assigned on type '" + object.type() + "'"));
            return;
        }
        boolean accepted = allowed.stream()
                .anyMatch(ref -> ref.getType().equals(user.type())
                        && (ref.getWildcard() != null) == user.wildcard()
                        && java.util.Objects.equals(ref.getRelation(), user.relation()));
        if (!accepted) {
            errors.add(new Problem.FieldError(
                    field + ".user",
                    "'" + object.type() + "#" + relation + "' does not accept subjects like '" + echo(user.raw())
                            + "'"));
        }
    }

    private Ref parse(String tenant, String raw, String field, List<Problem.FieldError> errors) {
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
        if (!global && !wildcard && IdRules.LOCAL_ID.matcher(rest).matches()) {
            String problem = localIdProblem(type, tenant, rest);
            if (problem != null) {
                errors.add(new Problem.FieldError(field, "the id of '" + echo(raw) + "' " + problem));
                return null;
            }
        }
        boolean validId = wildcard
                ? global && relation == null
                : (global
                        ? IdRules.PRINCIPAL_ID.matcher(rest).matches()
                        : IdRules.LOCAL_ID.matcher(rest).matches());
        if (!validId || (relation != null && !relation.matches("[a-z_]{1,50}"))) {
            errors.add(new Problem.FieldError(field, "'" + echo(raw) + "' is not a valid subject or object id"));
            return null;
        }
        return new Ref(raw, type, rest, relation, wildcard, global);
    }

    private static String echo(String value) {
        return value.length() <= ECHO_MAX ? value : value.substring(0, ECHO_MAX) + "...";
    }

    private record Ref(String raw, String type, String id, String relation, boolean wildcard, boolean global) {
        String scoped(String tenant) {
            String base = global ? type + ":" + id : ObjectIds.scoped(type, tenant, id);
            return relation == null ? base : base + "#" + relation;
        }
    }
}
