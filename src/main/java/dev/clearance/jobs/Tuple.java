package dev.clearance.jobs;

/**
 * The wire form of a relationship in the service's HTTP API, as {@code POST /v1/relationships} takes
 * it and {@code GET /v1/relationships} lists it: tenant-relative, e.g. {@code group:hr#member viewer
 * folder:hr}. The job's own type, because the job may know the service only through that API.
 */
record Tuple(String user, String relation, String object) {

    @Override
    public String toString() {
        return user + " " + relation + " " + object;
    }
}
