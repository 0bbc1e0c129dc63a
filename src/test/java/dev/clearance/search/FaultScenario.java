package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.SearchLoad;
import dev.clearance.testsupport.SearchLoad.Call;
import dev.clearance.testsupport.SearchLoad.Sample;
import dev.clearance.testsupport.TestIdp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The data and the judge of the fault tests. One tenant holds documents that alice, bob and dana
 * may see to different extents (dana sees so little that her searches take the ListObjects path);
 * every document's text carries a marker naming it, so a leak shows in any response body.
 *
 * <p>The judge is the grants as written here, not the service: a 200 must hold exactly min(k,
 * visible) distinct documents, every one visible to the caller (all of them when the caller sees
 * no more than k). The vector leg has no threshold, so k visible documents always make k results.
 * Which k of more is a ranking question the grants cannot answer; for that, every 200 must also
 * equal the answer recorded before faults (itself first checked against the grants), so a fault
 * cannot change the ranking either. Anything else must be a 503 problem with the expected type and
 * no document text.
 */
final class FaultScenario {

    static final int THREADS = 8;
    private static final int PER_FOLDER = 10;

    private final Map<String, Set<String>> visible = new HashMap<>();
    private final Set<String> allDocuments = new LinkedHashSet<>();
    private final Map<Call, List<String>> expected = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();

    /** Writes the documents through the API and records each call's answer without faults. */
    FaultScenario(Api api, TestIdp idp, String tenant) {
        String admin = idp.token("loader", tenant, "documents:write relationships:write");
        for (int i = 0; i < PER_FOLDER; i++) {
            put(
                    api,
                    admin,
                    "eng-" + i,
                    "Engineering note " + i
                            + ": the storage cluster backup schedule and how replica failover is tested.",
                    "alice");
            put(
                    api,
                    admin,
                    "hr-" + i,
                    "People team note " + i + ": the salary review calendar and where personnel files are stored.",
                    "bob");
        }
        put(
                api,
                admin,
                "shared-0",
                "All hands: backup schedule of the storage cluster and the salary review.",
                "alice",
                "bob",
                "dana");
        put(
                api,
                admin,
                "shared-1",
                "Office move: storage rooms, personnel files and the backup tapes.",
                "alice",
                "bob",
                "dana");
        for (String user : List.of("alice", "bob", "dana")) {
            String token = idp.token(user, tenant, "");
            for (String query : List.of("storage cluster backup schedule", "salary review personnel files")) {
                calls.add(new Call(user, token, query, 5));
            }
        }
        for (Call call : calls) {
            List<String> ids = api.searchIds(call.token(), call.query(), call.topK());
            String problem = oracleProblem(call, ids);
            assertTrue(problem == null, "fault-free answer of " + call.who() + " '" + call.query() + "': " + problem);
            expected.put(call, ids);
        }
    }

    /**
     * What is wrong with {@code ids} as an answer to {@code call} by the grants as written, or null:
     * exactly min(k, visible) distinct documents, all visible, all of them when no more than k.
     */
    String oracleProblem(Call call, List<String> ids) {
        Set<String> readable = visible.get(call.who());
        Set<String> distinct = new LinkedHashSet<>(ids);
        if (distinct.size() != ids.size()) {
            return "a document twice (one chunk each): " + ids;
        }
        if (!readable.containsAll(distinct)) {
            return "a document " + call.who() + " may not view: " + ids + ", may view " + readable;
        }
        int want = Math.min(call.topK(), readable.size());
        if (ids.size() != want) {
            return want + " results expected (k " + call.topK() + ", visible " + readable.size() + "), got " + ids;
        }
        return null;
    }

    private void put(Api api, String admin, String id, String text, String... viewers) {
        Map<String, Object> body = Map.of(
                "title",
                "Note " + id,
                "text",
                text + " Marker " + marker(id) + ".",
                "viewers",
                List.of(viewers).stream().map(v -> "user:" + v).toList());
        assertEquals(201, api.put(admin, id, body).getStatus().getCode(), id);
        allDocuments.add(id);
        for (String viewer : viewers) {
            visible.computeIfAbsent(viewer, v -> new LinkedHashSet<>()).add(id);
        }
    }

    private static String marker(String id) {
        return "zq" + id.replace("-", "x") + "qz";
    }

    List<Call> calls() {
        return calls;
    }

    /** The fault-free answer of {@code call}. */
    List<String> expected(Call call) {
        return expected.get(call);
    }

    SearchLoad load(String baseUrl) {
        return new SearchLoad(baseUrl, calls, THREADS);
    }

    /** What happened around one fault; times are {@link System#nanoTime()}. */
    record Phase(String name, long injected, long healed, List<Sample> samples) {

        List<Sample> startedDuringFault() {
            return samples.stream()
                    .filter(s -> s.startedAtOrAfter(injected) && s.endedBefore(healed))
                    .toList();
        }

        /** Ms from healing to the end of the last answer that was not a 200 (0 when none). */
        long recoveryMillis() {
            return samples.stream()
                    .filter(s -> s.status() != 200 && s.startedAtOrAfter(healed))
                    .mapToLong(s -> TimeUnit.NANOSECONDS.toMillis(s.endNanos() - healed))
                    .max()
                    .orElse(0);
        }

        long max503Millis(boolean startedAfterInjection) {
            return samples.stream()
                    .filter(s -> s.status() == 503 && s.startedAtOrAfter(injected) == startedAfterInjection)
                    .mapToLong(s ->
                            startedAfterInjection ? s.millis() : TimeUnit.NANOSECONDS.toMillis(s.endNanos() - injected))
                    .max()
                    .orElse(0);
        }

        long count(int status) {
            return samples.stream().filter(s -> s.status() == status).count();
        }

        String summary() {
            return "%s: %d requests, %d x 200, %d x 503, other %d; 503 latency max %d ms (started in the fault),"
                            .formatted(
                                    name,
                                    samples.size(),
                                    count(200),
                                    count(503),
                                    samples.size() - count(200) - count(503),
                                    max503Millis(true))
                    + " %d ms after injection (in flight when injected); recovery %d ms after healing"
                            .formatted(max503Millis(false), recoveryMillis());
        }
    }

    /**
     * Runs the load: {@code before} healthy, then {@code inject}, {@code faultFor}, {@code heal},
     * then load until {@code settle} after healing.
     */
    Phase run(
            SearchLoad load,
            String name,
            Duration before,
            Runnable inject,
            Duration faultFor,
            Runnable heal,
            Duration settle,
            Runnable duringFault)
            throws InterruptedException {
        long from = System.nanoTime();
        load.start();
        Thread.sleep(before.toMillis());
        long injected = System.nanoTime();
        inject.run();
        long faultEnds = injected + faultFor.toNanos();
        duringFault.run();
        sleepUntil(faultEnds);
        heal.run();
        long healed = System.nanoTime();
        sleepUntil(healed + settle.toNanos());
        load.stop();
        Phase phase = new Phase(name, injected, healed, load.samples(s -> s.startedAtOrAfter(from)));
        System.out.println("[fault] " + phase.summary());
        return phase;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /**
     * Every answer is right by the grants (and the fault-free ranking), or a 503 problem of {@code
     * problemType} without document text. No 500, no other status, no request left without an answer.
     */
    void assertEveryAnswerCorrectOr503(Phase phase, String problemType) {
        List<String> wrong = new ArrayList<>();
        for (Sample s : phase.samples()) {
            String body = s.body();
            if (s.status() == 200) {
                for (String id : allDocuments) {
                    if (!visible.get(s.call().who()).contains(id) && body.contains(marker(id))) {
                        wrong.add("LEAK of " + id + ": " + s);
                    }
                }
                String problem = s.contentType().startsWith("application/json")
                        ? oracleProblem(s.call(), s.documentIds())
                        : null;
                if (!s.contentType().startsWith("application/json")) {
                    wrong.add("200 not JSON: " + s);
                } else if (problem != null) {
                    wrong.add("against the grants, " + problem + ": " + s);
                } else if (!s.documentIds().equals(expected.get(s.call()))) {
                    wrong.add("not the fault-free answer " + expected.get(s.call()) + ": " + s);
                }
            } else if (s.status() == 503) {
                Map<?, ?> problem = s.json();
                if (!s.contentType().startsWith("application/problem+json") || problem == null) {
                    wrong.add("503 not problem+json: " + s);
                } else if (!String.valueOf(problem.get("type")).endsWith("/" + problemType)) {
                    wrong.add("503 of another type: " + s);
                } else if (allDocuments.stream().anyMatch(id -> body.contains(marker(id)))) {
                    wrong.add("503 with document text: " + s);
                }
            } else {
                wrong.add("status " + s.status() + ": " + s);
            }
        }
        assertTrue(
                wrong.isEmpty(),
                phase.name() + ": " + wrong.size() + " wrong answers, first: "
                        + wrong.subList(0, Math.min(5, wrong.size())));
    }

    /** A 503 for every request made while the fault lasted: nothing answered from stale state. */
    static void assertFaultWasFelt(Phase phase) {
        List<Sample> during = phase.startedDuringFault();
        assertTrue(!during.isEmpty(), phase.name() + ": requests were made during the fault");
        assertTrue(
                during.stream().allMatch(s -> s.status() == 503),
                phase.name() + ": every request made entirely during the fault fails closed");
    }

    /** Each 503 came within {@code bound} of its request (or of the injection, if already in flight). */
    static void assert503Within(Phase phase, Duration bound, Duration inFlightBound) {
        assertTrue(
                phase.max503Millis(true) <= bound.toMillis(),
                phase.name() + ": 503 within " + bound.toMillis() + " ms, took " + phase.max503Millis(true));
        assertTrue(
                phase.max503Millis(false) <= inFlightBound.toMillis(),
                phase.name() + ": in-flight 503 within " + inFlightBound.toMillis() + " ms of the injection, took "
                        + phase.max503Millis(false));
    }

    /** Every request that started {@code within} after healing or later was answered with 200. */
    static void assertRecoveredWithin(Phase phase, Duration within) {
        long limit = phase.healed() + within.toNanos();
        List<Sample> late =
                phase.samples().stream().filter(s -> s.startedAtOrAfter(limit)).toList();
        assertTrue(!late.isEmpty(), phase.name() + ": requests after recovery");
        List<Sample> failed = late.stream().filter(s -> s.status() != 200).toList();
        assertTrue(
                failed.isEmpty(),
                () -> phase.name() + ": recovered within " + within.toMillis() + " ms, yet " + failed.size()
                        + " failed after, first: " + failed.getFirst());
    }

    static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(100);
        }
    }
}
