package dev.clearance.identity;

/** A subject that can hold access: a human user or an agent. */
public record Principal(Kind kind, String id) {

    public enum Kind {
        USER,
        AGENT
    }

    /** The OpenFGA subject string, e.g. {@code user:alice}. */
    public String subject() {
        return (kind == Kind.USER ? "user:" : "agent:") + id;
    }
}
