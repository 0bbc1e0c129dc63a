package dev.clearance.access;

import dev.openfga.sdk.api.model.ReadRequest;
import dev.openfga.sdk.api.model.ReadRequestTupleKey;
import dev.openfga.sdk.api.model.ReadResponse;
import dev.openfga.sdk.api.model.Tuple;
import dev.openfga.sdk.api.model.TupleKey;
import dev.openfga.sdk.api.model.TupleKeyWithoutCondition;
import dev.openfga.sdk.api.model.WriteRequest;
import dev.openfga.sdk.api.model.WriteRequestDeletes;
import dev.openfga.sdk.api.model.WriteRequestWrites;
import dev.openfga.sdk.errors.FgaApiValidationError;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads relationship tuples. Writes ignore duplicates and deletes ignore missing tuples,
 * so a retried write (after a crash or a timeout) converges instead of failing.
 */
@Singleton
public final class RelationshipStore {

    private static final Logger LOG = LoggerFactory.getLogger(RelationshipStore.class);

    /** OpenFGA's default maximum number of tuples in one Write request. */
    private static final int MAX_PER_WRITE = 100;

    private final FgaStore store;
    private final FgaProperties properties;

    RelationshipStore(FgaStore store, FgaProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /**
     * Applies a change. Up to {@value #MAX_PER_WRITE} tuples (writes and deletes together) are one
     * OpenFGA transaction, so such a change is all or nothing. A larger change is applied in
     * transactions of that size, deletions first: if one fails part-way, the caller has lost access
     * it asked to remove but gained none it asked to add, never the other way round, and sending the
     * same change again completes it (duplicates and missing tuples are ignored).
     */
    public void write(List<DesiredTuple> writes, List<DesiredTuple> deletes) {
        write(writes, deletes, () -> {});
    }

    /**
     * As {@link #write(List, List)}, running {@code beforeEachCall} before each Write request (the
     * sync's fence: it throws when this worker may no longer write the object).
     */
    public void write(List<DesiredTuple> writes, List<DesiredTuple> deletes, Runnable beforeEachCall) {
        FgaStore.Resolved resolved = store.current();
        int total = deletes.size() + writes.size();
        for (int from = 0; from < total; from += MAX_PER_WRITE) {
            int to = Math.min(total, from + MAX_PER_WRITE);
            List<DesiredTuple> d = deletes.subList(Math.min(from, deletes.size()), Math.min(to, deletes.size()));
            List<TupleKey> w =
                    writes.subList(Math.max(0, from - deletes.size()), Math.max(0, to - deletes.size())).stream()
                            .map(RelationshipStore::toKey)
                            .toList();
            WriteRequest request = new WriteRequest().authorizationModelId(resolved.modelId());
            if (!w.isEmpty()) {
                request.writes(
                        new WriteRequestWrites().tupleKeys(w).onDuplicate(WriteRequestWrites.OnDuplicateEnum.IGNORE));
            }
            if (!d.isEmpty()) {
                request.deletes(new WriteRequestDeletes()
                        .tupleKeys(d.stream()
                                .map(RelationshipStore::withoutCondition)
                                .toList())
                        .onMissing(WriteRequestDeletes.OnMissingEnum.IGNORE));
            }
            beforeEachCall.run();
            await(() -> store.api().write(resolved.storeId(), request).get(timeoutMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Every tuple whose object is {@code object} (e.g. all grants of one document). */
    public List<DesiredTuple> readByObject(String object) {
        List<DesiredTuple> keys = new ArrayList<>();
        read(new ReadRequestTupleKey()._object(object), keys::addAll);
        return keys;
    }

    /** Every tuple of the store, page by page (the reconciler's view of OpenFGA). */
    public void readAll(java.util.function.Consumer<List<DesiredTuple>> pages) {
        read(null, pages);
    }

    private void read(ReadRequestTupleKey filter, java.util.function.Consumer<List<DesiredTuple>> pages) {
        FgaStore.Resolved resolved = store.current();
        String token = null;
        do {
            ReadRequest request = new ReadRequest().pageSize(100);
            if (filter != null) {
                request.tupleKey(filter);
            }
            if (token != null) {
                request.continuationToken(token);
            }
            ReadResponse page = await(() -> store.api()
                    .read(resolved.storeId(), request)
                    .get(timeoutMillis(), TimeUnit.MILLISECONDS)
                    .getData());
            List<DesiredTuple> keys = new ArrayList<>(page.getTuples().size());
            for (Tuple tuple : page.getTuples()) {
                TupleKey key = tuple.getKey();
                keys.add(new DesiredTuple(key.getUser(), key.getRelation(), key.getObject()));
            }
            pages.accept(keys);
            token = page.getContinuationToken();
        } while (token != null && !token.isEmpty());
    }

    private static TupleKeyWithoutCondition withoutCondition(DesiredTuple t) {
        return new TupleKeyWithoutCondition()
                .user(t.user())
                .relation(t.relation())
                ._object(t.object());
    }

    private static TupleKey toKey(DesiredTuple t) {
        return new TupleKey().user(t.user()).relation(t.relation())._object(t.object());
    }

    private long timeoutMillis() {
        return properties.callTimeout().toMillis();
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T await(Call<T> call) {
        try {
            return call.run();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FgaApiValidationError validation) {
                // OpenFGA's own wording names stored (tenant-scoped) ids and its request ids: logged for
                // operators, not returned. TupleScoper refuses what it can predict before this point.
                LOG.warn("OpenFGA refused a relationship change: {}", validation.getMessage());
                throw new InvalidRelationshipException(List.of(new dev.clearance.platform.Problem.FieldError(
                        "relationships", "rejected by the authorization service as invalid")));
            }
            throw new AuthorizationUnavailableException("The authorization service could not store the change.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthorizationUnavailableException("Interrupted while writing relationships.", e);
        } catch (Exception e) {
            throw new AuthorizationUnavailableException("The authorization service could not store the change.", e);
        }
    }
}
