package dev.gowork.broker.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.KafkaException;

/**
 * The broker of {@link EmbeddedKafka} in a child JVM of its own, on this JVM's class path: a
 * benchmark then measures the code under test without the broker's heap, GC pauses and JIT sharing
 * its JVM, as in any real deployment, where the broker is a separate process.
 *
 * <pre>{@code
 * try (KafkaProcess kafka = KafkaProcess.start(Path.of("/tmp/bench"), List.of("-Xmx1g"))) {
 *     String bootstrap = kafka.bootstrapServers();
 *     ...
 * }
 * }</pre>
 *
 * <p>The child logs to {@code <dataDir>/kafka-process.log} and keeps its data in
 * {@code <dataDir>/kafka}, as {@link EmbeddedKafka} does. It picks its own free port and, once it
 * answers clients, writes its address to {@code <dataDir>/kafka-process.address}, so no other process
 * can take the port between choosing and binding it. It stops on {@link #close()} and also when this
 * JVM dies, however it dies, from the moment it starts: it reads its standard input, a pipe only this
 * JVM holds, and exits (stopping the broker) when the pipe closes.
 */
public final class KafkaProcess implements AutoCloseable {

    static final String LOG_FILE = "kafka-process.log";
    static final String ADDRESS_FILE = "kafka-process.address";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final long READY_POLL_MILLIS = 50;
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Process process;
    private final Path log;
    private String bootstrapServers;

    private KafkaProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a broker in a child JVM and returns once it answers clients.
     *
     * @param dataDir the folder for its data and log; created if missing, reused if it holds a cluster
     * @param jvmOptions options for the child JVM, e.g. {@code -Xmx1g}
     * @throws KafkaException if it is not ready within 90 s, exits first, or this thread is interrupted
     *     (with its interrupt flag set again); the child is stopped
     * @throws UncheckedIOException if the folder cannot be created or the JVM cannot be started
     */
    public static KafkaProcess start(Path dataDir, List<String> jvmOptions) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path log = dir.resolve(LOG_FILE);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KafkaProcessMain.class.getName(),
                dir.toString()));
        Process process;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(ADDRESS_FILE));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a Kafka broker process in " + dir + ": " + e.getMessage(), e);
        }
        KafkaProcess kafka = new KafkaProcess(process, log);
        try {
            kafka.bootstrapServers = kafka.awaitAddress(dir.resolve(ADDRESS_FILE));
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /** The address clients connect to, {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The child's log file. */
    public Path log() {
        return log;
    }

    /** CPU time the child has used so far (zero where the platform does not tell). */
    public Duration cpuTime() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the broker (a controlled shutdown, forced after 15 s) and waits for the child to exit; its
     * data stays. An interrupt does not cut the wait short (the flag is set again afterwards). Safe to
     * call more than once.
     */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroy();
        }
        boolean interrupted = false;
        long end = System.nanoTime() + STOP_GRACE.toNanos();
        while (process.isAlive()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                process.destroyForcibly();
                break;
            }
            try {
                process.waitFor(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private String awaitAddress(Path addressFile) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (Files.exists(addressFile)) {
                try {
                    return Files.readString(addressFile, StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + addressFile + ": " + e.getMessage(), e);
                }
            }
            if (!process.isAlive()) {
                throw new KafkaException("The Kafka broker process exited with code " + process.exitValue()
                        + " before it was ready; see " + log);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new KafkaException("The Kafka broker process was not ready within " + READY_TIMEOUT.toSeconds()
                        + " s; see " + log);
            }
            try {
                Thread.sleep(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("Interrupted while the Kafka broker process started", e);
            }
        }
    }

    @Override
    public String toString() {
        return "Kafka broker process " + process.pid() + " at " + bootstrapServers;
    }

    /** For tests: the child's exit code, once it has exited. */
    int exitCode() {
        return process.exitValue();
    }

    /** For tests: ends the child's standard input without waiting, as this JVM's death would. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }
}
