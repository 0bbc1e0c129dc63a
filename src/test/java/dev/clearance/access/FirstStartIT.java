package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clearance.testsupport.IntegrationTest;
import dev.openfga.sdk.api.model.Store;
import io.micronaut.context.ApplicationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replicas that start at the same moment against an OpenFGA server without their store end up on
 * one store (names are not unique in OpenFGA; the store is created once, under a PostgreSQL lock).
 */
class FirstStartIT extends IntegrationTest {

    @Test
    void replicasStartingTogetherShareOneStore() throws Exception {
        String name = "first-start-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("clearance.fga.store-name", name);
        List<ApplicationContext> contexts = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 3; i++) {
                contexts.add(ApplicationContext.run(properties));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> ids = new ArrayList<>();
            for (ApplicationContext context : contexts) {
                ids.add(pool.submit(() -> {
                    start.await();
                    return context.getBean(FgaStore.class).current().storeId();
                }));
            }
            start.countDown();
            String first = ids.get(0).get(60, TimeUnit.SECONDS);
            for (Future<String> id : ids) {
                assertEquals(first, id.get(60, TimeUnit.SECONDS));
            }
            FgaStore store = contexts.get(0).getBean(FgaStore.class);
            List<Store> named = new ArrayList<>();
            String token = null;
            do {
                var page = store.api().listStores(100, token, null).get().getData();
                page.getStores().stream().filter(s -> name.equals(s.getName())).forEach(named::add);
                token = page.getContinuationToken();
            } while (token != null && !token.isEmpty());
            assertEquals(1, named.size(), "stores named " + name + ": " + named);

            // A replica started later finds the model already written: the same id, no new model.
            String model = store.current().modelId();
            try (ApplicationContext later = ApplicationContext.run(properties)) {
                assertEquals(model, later.getBean(FgaStore.class).current().modelId());
            }
            var models = store.api()
                    .readAuthorizationModels(store.current().storeId(), 100, null)
                    .get()
                    .getData()
                    .getAuthorizationModels();
            assertEquals(1, models.size(), "models written to the store: " + models.size());
        } finally {
            pool.shutdownNow();
            contexts.forEach(ApplicationContext::close);
        }
    }
}
