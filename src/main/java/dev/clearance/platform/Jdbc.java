package dev.clearance.platform;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Small helpers so every repository opens, commits and rolls back transactions the same way. */
public final class Jdbc {

    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Jdbc() {}

    public static <T> T inTransaction(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("The document store is not available.", e);
        }
    }

    public static <T> T read(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("The document store is not available.", e);
        }
    }
}
