package dev.clearance.testsupport;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/** The same servers as docker-compose.yml, as Testcontainers (same images and tags). */
final class ContainerServers {

    static final String PGVECTOR_IMAGE = "pgvector/pgvector:0.8.1-pg16";
    static final String OPENFGA_IMAGE = "openfga/openfga:v1.22.1";

    private ContainerServers() {}

    @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM exits
    static Endpoints start() {
        PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>(
                        DockerImageName.parse(PGVECTOR_IMAGE).asCompatibleSubstituteFor("postgres"))
                .withDatabaseName("clearance")
                .withUsername("clearance")
                .withPassword("clearance");
        GenericContainer<?> openfga = new GenericContainer<>(DockerImageName.parse(OPENFGA_IMAGE))
                .withCommand(
                        "run",
                        "--playground-enabled=false",
                        "--check-query-cache-enabled=true",
                        "--check-query-cache-ttl=" + RealServers.CHECK_CACHE_TTL.toSeconds() + "s")
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/healthz").forPort(8080));
        postgres.start();
        openfga.start();
        String fga = "http://" + openfga.getHost() + ":" + openfga.getMappedPort(8080);
        return new Endpoints(postgres.getJdbcUrl(), "clearance", "clearance", fga, "testcontainers", true);
    }
}
