package dev.clearance.demo;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * Who the demo corpus (ingest-jobs/demo.yaml) was written for: its people, and its agent acting for
 * one of them. The web page offers them as sign-in buttons; {@code DemoPeopleTest} keeps this list
 * in step with the job spec.
 */
final class DemoPeople {

    /** A demo identity: a person, or an agent acting for that person. */
    @Serdeable
    record Person(String user, @Nullable String agent, String description) {}

    static final List<Person> ALL = List.of(
            new Person("alice", null, "engineering"),
            new Person("carol", null, "engineering, owns its documents"),
            new Person("hana", null, "HR"),
            new Person("fred", null, "finance, also reads the salary bands"),
            new Person("alice", "helpdesk-bot", "the helpdesk agent acting for alice: public and engineering only"));

    private DemoPeople() {}
}
