package dev.gowork.broker.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * {@code <dataDir>/kafka}, as {@link EmbeddedKafka} does. It stops on {@link #close()} and also when
 * this JVM dies, however it dies: it reads its standard input, a pipe only this JVM holds, and shuts
 * the broker down when the pipe closes.
 */
public final class KafkaProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration READY_POLL = Duration.ofSeconds(2);
    private static final long STOP_GRACE_SECONDS = 15;

    private final Process process;
    private final String bootstrapServers;
    private final Path log;

    private KafkaProcess(Process process, String bootstrapServers, Path log) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.log = log;
    }

    /**
     * Starts a broker in a child JVM and returns once it answers clients.
     *
     * @param dataDir the folder for its data and log; created if missing, reused if it holds a cluster
     * @param jvmOptions options for the child JVM, e.g. {@code -Xmx1g}
     * @throws KafkaException if it does not answer within 90 s or exits first; the child is stopped
     * @throws UncheckedIOException if the folder cannot be created or the JVM cannot be started
     */
    public static KafkaProcess start(Path dataDir, List<String> jvmOptions) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path log = dir.resolve("kafka-process.log");
        int port = BrokerProperties.freePort();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KafkaProcess.class.getName(),
                dir.toString(), Integer.toString(port)));
        Process process;
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a Kafka broker process in " + dir + ": " + e.getMessage(), e);
        }
        KafkaProcess kafka = new KafkaProcess(process, BrokerProperties.HOST + ":" + port, log);
        try {
            kafka.awaitReady();
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
     * data stays. Safe to call more than once.
     */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new KafkaException("The Kafka broker process exited with code " + process.exitValue()
                        + " before it was ready; see " + log);
            }
            try {
                Readiness.await(bootstrapServers, READY_POLL);
                return;
            } catch (KafkaException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new KafkaException("The Kafka broker process at " + bootstrapServers + " was not ready within "
                            + READY_TIMEOUT.toSeconds() + " s; see " + log, notYet);
                }
            }
        }
    }

    /**
     * The child's entry point: {@code <dataDir> <port>}. Runs the broker until its standard input
     * ends, then stops it and exits.
     *
     * @param args the data folder and the client port
     * @throws IOException if standard input cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: KafkaProcess <dataDir> <port>");
            System.exit(2);
        }
        EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(Path.of(args[0])).port(Integer.parseInt(args[1])).start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "gowork-kafka-process-stop"));
        drain(System.in);
        kafka.close();
        System.exit(0);
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // nothing is ever sent: only the end of the stream matters
        }
    }

    /** For tests: ends the child's standard input without waiting, as this JVM's death would. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }
}
