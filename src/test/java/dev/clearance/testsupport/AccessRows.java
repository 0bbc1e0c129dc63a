package dev.clearance.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** What the database says about a tenant, read directly (the oracle's input, not the service's answer). */
public final class AccessRows {

    private AccessRows() {}

    /** The tenant's desired tuples, as the service stores them. */
    public static List<AccessOracle.Tuple> desired(DataSource dataSource, String tenant) throws SQLException {
        List<AccessOracle.Tuple> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT d.subject, d.relation, d.object FROM desired_tuples d
                        JOIN access_objects o ON o.object = d.object WHERE o.tenant = ?""")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new AccessOracle.Tuple(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** The tenant's document ids, sorted. */
    public static List<String> documentIds(DataSource dataSource, String tenant) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id FROM documents WHERE tenant = ? ORDER BY id")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
