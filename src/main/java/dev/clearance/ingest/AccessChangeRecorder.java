package dev.clearance.ingest;

import dev.clearance.authz.AccessChangeListener;
import dev.clearance.store.AccessChangeLog;
import jakarta.inject.Singleton;

/** Persists access-rule changes so every service instance sees them (see docs/adr/0005). */
@Singleton
final class AccessChangeRecorder implements AccessChangeListener {

    private final AccessChangeLog log;

    AccessChangeRecorder(AccessChangeLog log) {
        this.log = log;
    }

    @Override
    public void accessChanged(String tenant) {
        log.touch(tenant);
    }
}
