package dev.clearance.platform;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where reads that only propose candidates may go: the standby while it is proven fresh, else the
 * primary (ADR 0013).
 *
 * <p>Fresh means: at some moment t at most {@code maxLag} ago, the primary's flushed WAL position
 * was read, and afterwards the standby had replayed up to it, so the standby held every transaction
 * the primary had acknowledged before t. A standby that is paused, disconnected or slow stops
 * passing this test and is bypassed within {@code maxLag}; nothing waits for it.
 *
 * <p>Freshness bounds how much recall a lagging standby can cost, not what may be returned: every
 * candidate is confirmed on the primary before it leaves the service (the document's synced
 * access-rule version, and that the chunk still exists), so a revocation or an edit the primary
 * has acknowledged is in force whatever the standby still shows.
 */
@Context
public final class Standby implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Standby.class);

    private final DataSource primary;
    private final StandbyProperties properties;
    private final HikariDataSource standby;
    private final ScheduledExecutorService sampler;
    /** System.nanoTime() of the last moment the standby was proven to hold everything before. */
    private volatile long freshAt = Long.MIN_VALUE;

    private volatile long bytesBehind = -1;
    private volatile boolean failing;
    private final Counter standbyReads;
    private final Counter primaryReads;

    /**
     * Created at start-up ({@code @Context}): the first proof of freshness is taken before the first
     * search, not after it. Without its own role the standby is read as the primary's role, which
     * it replicates.
     */
    Standby(
            DataSource primary,
            StandbyProperties properties,
            MeterRegistry meters,
            @Value("${datasources.default.username:}") String primaryUser,
            @Value("${datasources.default.password:}") String primaryPassword) {
        this.primary = primary;
        this.properties = properties;
        this.standbyReads = Counter.builder("clearance.standby.reads")
                .tag("source", "standby")
                .description("Candidate reads, by where they went")
                .register(meters);
        this.primaryReads = Counter.builder("clearance.standby.reads")
                .tag("source", "primary")
                .description("Candidate reads, by where they went")
                .register(meters);
        // Registered without a standby too (lag NaN): dashboards and alerts need not know the setup.
        Gauge.builder("clearance.standby.lag", this, Standby::lagSeconds)
                .description("Seconds since the standby was last proven to hold all the primary had committed")
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder("clearance.standby.behind", this, s -> s.bytesBehind)
                .description("WAL bytes the standby had yet to replay at the last sample (-1: unknown)")
                .baseUnit("bytes")
                .register(meters);
        if (!properties.enabled()) {
            this.standby = null;
            this.sampler = null;
            return;
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(properties.url());
        boolean ownRole =
                properties.username() != null && !properties.username().isBlank();
        config.setUsername(ownRole ? properties.username() : primaryUser);
        config.setPassword(ownRole ? properties.password() : primaryPassword);
        config.setReadOnly(true);
        // As on the primary's pool (application.yml): the exact path's plans depend on it (ADR 0004).
        config.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
        config.setPoolName("standby");
        config.setMaximumPoolSize(properties.poolSize());
        // A standby that is down must cost a search at most a short wait, then the primary serves.
        config.setConnectionTimeout(1000);
        config.setValidationTimeout(500);
        // Start without it: the service does not depend on the standby being up.
        config.setInitializationFailTimeout(-1);
        this.standby = new HikariDataSource(config);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "standby-lag");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, properties.sampleInterval().toMillis());
        sampler.scheduleWithFixedDelay(this::sample, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The standby when it is fresh, otherwise the primary; counted per source when configured. */
    public DataSource forCandidates() {
        if (standby == null) {
            return primary;
        }
        boolean fresh = isFresh();
        (fresh ? standbyReads : primaryReads).increment();
        return fresh ? standby : primary;
    }

    /** Whether a standby is configured at all (reads from it need confirming on the primary). */
    public boolean configured() {
        return standby != null;
    }

    /** Whether the standby is configured and proven to lag less than {@code maxLag}. */
    public boolean isFresh() {
        return standby != null
                && freshAt != Long.MIN_VALUE
                && System.nanoTime() - freshAt <= properties.maxLag().toNanos();
    }

    private double lagSeconds() {
        return freshAt == Long.MIN_VALUE ? Double.NaN : (System.nanoTime() - freshAt) / 1e9;
    }

    /** One comparison: the primary's flushed WAL position now, then the standby's replay position. */
    private void sample() {
        long started = System.nanoTime();
        try {
            String flushed;
            try (Connection c = primary.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
                rs.next();
                flushed = rs.getString(1);
            }
            try (Connection c = standby.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT pg_is_in_recovery(),"
                            + " pg_wal_lsn_diff(?::pg_lsn, pg_last_wal_replay_lsn())::bigint")) {
                s.setString(1, flushed);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    boolean inRecovery = rs.getBoolean(1);
                    long behind = rs.getLong(2);
                    // A server that is not in recovery is not a standby of this primary (promoted,
                    // or misconfigured): never read from it as one.
                    if (!inRecovery || rs.wasNull()) {
                        bytesBehind = -1;
                        return;
                    }
                    bytesBehind = Math.max(0, behind);
                    if (behind <= 0) {
                        freshAt = started;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            bytesBehind = -1;
            // Once per change from working to failing: a standby that cannot be read is not an
            // error of any search (they read the primary), but an operator should learn of it.
            if (!failing) {
                LOG.warn(
                        "The standby cannot be compared with the primary; searches read the primary: {}",
                        e.getMessage());
            }
            failing = true;
            return;
        }
        failing = false;
    }

    @Override
    @PreDestroy
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (standby != null) {
            standby.close();
        }
    }
}
