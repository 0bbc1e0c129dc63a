package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.ServiceInstance;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tuples OpenFGA refuses are not retried forever: after the configured number of refusals the
 * object is parked, counted in a metric and listed for operators, and an operator's retry brings it
 * back once the cause is gone. Until then the document stays hidden.
 */
class ParkedObjectsIT extends IntegrationTest {

    @Test
    void refusedTuplesAreParkedListedAndRetried() throws Exception {
        try (HttpFaultProxy proxy = new HttpFaultProxy(RealServers.get().fgaApiUrl());
                ServiceInstance service = new ServiceInstance(
                        getProperties(),
                        Map.of(
                                "clearance.fga.api-url", proxy.url(),
                                "clearance.access.park-after", "2",
                                "clearance.access.sync-wait", "1s",
                                "clearance.outbox.interval", "200ms",
                                "clearance.outbox.initial-delay", "0s"))) {
            String admin = IDP.token("loader", tenant, "documents:write");
            String operator = IDP.token("ops", tenant, "access:admin");
            String bob = IDP.token("bob", tenant, "");
            proxy.onlyPaths("/write");
            proxy.fail(400, null);

            HttpResponse<Map> put = service.api.put(
                    admin,
                    "refused",
                    Map.of("title", "Refused", "text", "Quarterly plan.", "viewers", List.of("user:bob")));
            assertEquals(201, put.getStatus().getCode());
            assertEquals(Boolean.FALSE, put.body().get("searchable"));

            List<Map> parked = List.of();
            long deadline = System.currentTimeMillis() + 20_000;
            while (parked.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(250);
                parked = service.client
                        .toBlocking()
                        .retrieve(
                                HttpRequest.GET("/v1/admin/access/parked").bearerAuth(operator),
                                Argument.listOf(Map.class));
            }
            assertEquals(1, parked.size(), "parked: " + parked);
            assertEquals("document:refused", parked.get(0).get("object"));
            assertEquals(2, parked.get(0).get("refusals"));
            int attempts = proxy.received();
            Thread.sleep(1500);
            assertEquals(attempts, proxy.received(), "a parked object is not retried on its own");
            assertEquals(404, service.api.get(bob, "refused").getStatus().getCode());
            String metrics = service.client.toBlocking().retrieve("/prometheus");
            assertEquals(true, metrics.contains("clearance_outbox_parked 1.0"), "parked gauge");

            proxy.heal();
            Map<?, ?> retried = service.client
                    .toBlocking()
                    .retrieve(
                            HttpRequest.POST("/v1/admin/access/parked/retry", Map.of())
                                    .bearerAuth(operator),
                            Map.class);
            assertEquals(1, retried.get("retried"));
            deadline = System.currentTimeMillis() + 15_000;
            while (service.api.get(bob, "refused").getStatus().getCode() != 200
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(200, service.api.get(bob, "refused").getStatus().getCode());
        }
    }
}
