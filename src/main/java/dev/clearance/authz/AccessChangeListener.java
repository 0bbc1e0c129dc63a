package dev.clearance.authz;

/** Told when a tenant's access rules changed, so reads can ask for fresher decisions for a while. */
public interface AccessChangeListener {

    void accessChanged(String tenant);
}
