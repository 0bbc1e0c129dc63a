package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Differences the reconciler found, made visible three ways: kept for operators ({@link
 * AccessAdmin#drift}), counted for alerts and logged. Tuples adopted from OpenFGA are kept the same
 * way for review, but neither counted nor logged: they are not a fault.
 */
@Singleton
final class DriftLog {

    private static final Logger LOG = LoggerFactory.getLogger(DriftLog.class);

    private final DataSource dataSource;
    private final MeterRegistry meters;

    DriftLog(DataSource dataSource, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.meters = meters;
        // Exported from the start, so an alert on them has a series to read before the first drift.
        for (String kind : List.of("missing", "extra")) {
            meters.counter("clearance.access.drift", "kind", kind);
        }
    }

    /** A difference between OpenFGA and the desired state, or a tuple adopted from OpenFGA. */
    record Drift(String tenant, String kind, DesiredTuple tuple) {

        /** The tuples OpenFGA lacks ({@code missing}) and those it holds beyond {@code want} ({@code extra}). */
        static List<Drift> between(String tenant, Set<DesiredTuple> want, Set<DesiredTuple> has) {
            List<Drift> found = new ArrayList<>();
            want.stream().filter(t -> !has.contains(t)).forEach(t -> found.add(new Drift(tenant, "missing", t)));
            has.stream().filter(t -> !want.contains(t)).forEach(t -> found.add(new Drift(tenant, "extra", t)));
            return found;
        }
    }

    void record(List<Drift> drift) {
        insert(drift);
        drift.stream().filter(d -> !d.kind().equals("adopted")).forEach(d -> {
            meters.counter("clearance.access.drift", "kind", d.kind()).increment();
            LOG.warn(
                    "Access drift ({}): {} {} {}",
                    d.kind(),
                    d.tuple().user(),
                    d.tuple().relation(),
                    d.tuple().object());
        });
    }

    private void insert(List<Drift> drift) {
        if (drift.isEmpty()) {
            return;
        }
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO access_drift (tenant, kind, object, relation, subject) VALUES (?, ?, ?, ?, ?)")) {
                for (Drift d : drift) {
                    s.setString(1, d.tenant());
                    s.setString(2, d.kind());
                    s.setString(3, d.tuple().object());
                    s.setString(4, d.tuple().relation());
                    s.setString(5, d.tuple().user());
                    s.addBatch();
                }
                return s.executeBatch();
            }
        });
    }

    /** Drift recorded for a tenant, newest first (for operators). */
    List<Drift> recent(String tenant, int limit) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT kind, subject, relation, object FROM access_drift WHERE tenant = ?
                    ORDER BY at DESC, id DESC LIMIT ?""")) {
                s.setString(1, tenant);
                s.setInt(2, limit);
                List<Drift> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Drift(
                                tenant,
                                rs.getString(1),
                                new DesiredTuple(rs.getString(2), rs.getString(3), rs.getString(4))));
                    }
                }
                return out;
            }
        });
    }
}
