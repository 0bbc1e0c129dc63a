package dev.clearance.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The people the web page offers in demo mode are exactly those the demo corpus was written for. */
class DemoPeopleTest {

    private static final Path SPEC = Path.of("ingest-jobs/demo.yaml");

    @Test
    void theDemoPeopleAreTheGroupMembersOfTheDemoCorpus() throws IOException {
        Map<String, Object> spec = spec();
        Set<String> members = new TreeSet<>();
        for (Object group : ((Map<?, ?>) spec.get("groups")).values()) {
            for (Object subject : (Collection<?>) group) {
                members.add(subject.toString().replaceFirst("^user:", ""));
            }
        }
        Set<String> offered = DemoPeople.ALL.stream()
                .filter(p -> p.agent() == null)
                .map(DemoPeople.Person::user)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(members, offered);
    }

    @Test
    void everyDemoAgentIsGrantedSomethingAndActsForADemoPerson() throws IOException {
        String folders = String.valueOf(spec().get("folders"));
        Set<String> people =
                DemoPeople.ALL.stream().map(DemoPeople.Person::user).collect(Collectors.toSet());
        List<DemoPeople.Person> agents =
                DemoPeople.ALL.stream().filter(p -> p.agent() != null).toList();
        assertTrue(!agents.isEmpty());
        for (DemoPeople.Person agent : agents) {
            assertTrue(folders.contains("agent:" + agent.agent()), agent.agent() + " has no grant in " + SPEC);
            assertTrue(people.contains(agent.user()));
        }
    }

    private static Map<String, Object> spec() throws IOException {
        try (Reader reader = Files.newBufferedReader(SPEC)) {
            return new Yaml().load(reader);
        }
    }
}
