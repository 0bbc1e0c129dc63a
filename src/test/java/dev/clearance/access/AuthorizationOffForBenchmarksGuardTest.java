package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The authorization-off switch ({@link AuthorizationOffForBenchmarks}) shares the test class path
 * with the integration tests. These checks keep it a benchmark-only switch: only the benchmark
 * programs and the switch itself name its property, nothing in the product's sources does, and no
 * test run inherits it from its environment.
 */
class AuthorizationOffForBenchmarksGuardTest {

    private static final String SWITCH = "AuthorizationOffForBenchmarks.PROPERTY";

    @Test
    void onlyTheBenchmarksNameTheSwitch() throws IOException {
        List<String> naming = Stream.concat(sources(Path.of("src", "test")), sources(Path.of("src", "main")))
                .filter(file -> !file.startsWith(Path.of("src", "test", "java", "dev", "clearance", "bench")))
                .filter(file -> !file.getFileName().toString().startsWith("AuthorizationOffForBenchmarks"))
                .filter(file -> {
                    String text = read(file);
                    return text.contains(AuthorizationOffForBenchmarks.PROPERTY) || text.contains(SWITCH);
                })
                .map(Path::toString)
                .toList();
        assertEquals(List.of(), naming, "only benchmarks may turn authorization off");
    }

    @Test
    void noTestRunInheritsTheSwitch() {
        assertNull(System.getenv("CLEARANCE_BENCH_AUTHORIZATION"), "set in the environment of a test run");
        assertNull(System.getProperty(AuthorizationOffForBenchmarks.PROPERTY), "set as a system property");
    }

    private static Stream<Path> sources(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList().stream();
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
