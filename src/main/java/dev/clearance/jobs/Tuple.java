package dev.clearance.jobs;

/** A relationship as the service's API takes it, e.g. {@code group:hr#member viewer folder:hr}. */
record Tuple(String user, String relation, String object) {

    @Override
    public String toString() {
        return user + " " + relation + " " + object;
    }
}
