package dev.gowork.broker.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import kafka.tools.StorageTool;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;

/** Formats a KRaft log directory once; a directory that holds meta.properties is left alone. */
final class StorageFormat {

    private StorageFormat() {
    }

    /**
     * Formats {@code logDir} with a new cluster id unless it was formatted before.
     *
     * @return true if it formatted, false if the directory already held a cluster
     * @throws KafkaException if the storage tool refuses
     */
    static boolean ensureFormatted(Path logDir, Properties props) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return false;
        }
        Path propsFile = null;
        try {
            Files.createDirectories(logDir);
            propsFile = Files.createTempFile(logDir.getParent(), "format-", ".properties");
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "embedded broker, used once to format storage");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exitCode;
            try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exitCode = format(propsFile, print);
            } catch (Exception e) {
                throw new KafkaException("Formatting Kafka storage in " + logDir + " failed: "
                        + output.toString(StandardCharsets.UTF_8).strip(), e);
            }
            if (exitCode != 0) {
                throw new KafkaException("Formatting Kafka storage in " + logDir + " failed (exit code "
                        + exitCode + "): " + output.toString(StandardCharsets.UTF_8).strip());
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Kafka storage in " + logDir, e);
        } finally {
            deleteQuietly(propsFile);
        }
    }

    private static int format(Path propsFile, PrintStream print) {
        String[] args = {"format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()};
        return StorageTool.execute(args, print);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
