package dev.clearance.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Loads many documents through the real API, a few requests at a time. */
public final class Corpus {

    private Corpus() {}

    /** A family of near-identical documents: the same topic, told slightly differently. */
    public static String similarText(int i) {
        String[] teams = {"platform", "payments", "search", "mobile", "data", "security", "growth", "support"};
        return "Quarterly planning notes of the " + teams[i % teams.length] + " team, number " + i
                + ". The team reviewed its revenue forecast, hiring plan and the roadmap for the next quarter. "
                + "Key risks are vendor delays and on-call load.";
    }

    /** PUTs every document and fails the test if any request does not succeed. */
    public static void load(Api api, String token, Map<String, Map<String, Object>> documents) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            documents.forEach((id, body) -> futures.add(pool.submit(() -> {
                int status = api.put(token, id, body).getStatus().getCode();
                if (status != 201 && status != 200) {
                    throw new AssertionError("PUT " + id + " answered " + status);
                }
            })));
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (Exception e) {
            throw new AssertionError("loading the corpus failed", e);
        } finally {
            pool.shutdown();
        }
    }
}
