package dev.gowork.broker.embedded;

import dev.gowork.broker.FileErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.KafkaException;

/**
 * An exclusive lock on an embedded broker's log directory, taken before anything is formatted or
 * started and held while the broker runs. Kafka locks the directory only once its controller has
 * started and written to the metadata log, so without this a second broker on a folder in use
 * rewrites the first one's metadata before it fails, and the first can no longer create topics.
 *
 * <p>A file lock belongs to the process, and closing any channel on the file drops it: a folder this
 * process holds is therefore refused from {@link #HELD} without opening the file again.
 */
final class DataFolderLock implements AutoCloseable {
    /** The lock file in the log directory; Kafka ignores files there that are not its own. */
    static final String FILE = "gowork.lock";
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;

    private DataFolderLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Locks {@code logDir} (created when missing).
     *
     * @param dataDir the folder named in the error, as the user gave it
     * @throws KafkaException when another broker, in this process or another, holds the folder
     */
    static DataFolderLock acquire(Path logDir, Path dataDir) {
        Path file;
        try {
            file = Files.createDirectories(logDir).toRealPath().resolve(FILE);
        } catch (IOException e) {
            throw new KafkaException("cannot create the data folder " + dataDir + ": " + FileErrors.why(e, dataDir), e);
        }
        if (!HELD.add(file)) {
            throw inUse(dataDir);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUse(dataDir);
            }
            return new DataFolderLock(file, channel);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw e instanceof KafkaException k ? k
                    : new KafkaException("cannot lock the data folder " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static KafkaException inUse(Path dataDir) {
        return new KafkaException("the data folder " + dataDir + " is in use by another embedded Kafka (a "
                + "coordinator, demo or bench still running on it); stop that one, or use another folder");
    }

    /** Releases the lock (closing the channel does). */
    @Override
    public void close() {
        closeQuietly(channel);
        HELD.remove(file);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
