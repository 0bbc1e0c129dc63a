package dev.clearance.search;

/**
 * {@link AuthorizationPropertiesIT} outside the consistency window: every check reads OpenFGA's
 * cached decisions (MINIMIZE_LATENCY), as most production searches do, each round of searches runs
 * twice (the second from a warm cache), and the revocation phase starts once the decisions of the
 * first have expired. The same oracle and the same assertions as inside the window.
 */
class AuthorizationPropertiesCachedIT extends AuthorizationPropertiesIT {

    @Override
    protected boolean cachedReads() {
        return true;
    }
}
