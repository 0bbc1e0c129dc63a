package dev.clearance.jobs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Keeps two runs of a job apart: a lock on a file, held until closed, in another process or in this one. */
record RunLock(FileLock lock) implements AutoCloseable {

    static RunLock acquire(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new RunLock(lock);
            }
        } catch (OverlappingFileLockException e) {
            // held by this same process
        }
        channel.close();
        throw new IOException("another run of this job is in progress (" + file + ")");
    }

    @Override
    public void close() throws IOException {
        lock.channel().close(); // releases the lock
    }
}
