package dev.gowork.broker.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of a {@link KafkaProcess}: {@code KafkaProcessMain <dataDir>}. Watches its standard
 * input from the start and exits when it ends (its parent closed it or died), stopping the broker if
 * it runs; starts the broker on a free port, then writes the address to
 * {@code <dataDir>/kafka-process.address} (whole, by a rename).
 */
final class KafkaProcessMain {

    private KafkaProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: KafkaProcessMain <dataDir>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        AtomicReference<EmbeddedKafka> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            EmbeddedKafka kafka = running.get();
            if (kafka != null) {
                kafka.close();
            }
        }, "gowork-kafka-process-stop"));
        Thread parentWatch = new Thread(() -> {
            drain(System.in);
            System.exit(0);
        }, "gowork-kafka-process-parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();

        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.builder().dataDir(dir).start();
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            System.exit(1);
            return;
        }
        running.set(kafka);
        Path partial = dir.resolve(KafkaProcess.ADDRESS_FILE + ".partial");
        Files.writeString(partial, kafka.bootstrapServers(), StandardCharsets.UTF_8);
        Files.move(partial, dir.resolve(KafkaProcess.ADDRESS_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        parentWatch.join();
    }

    /** Reads until the stream ends or fails: only its end matters, nothing is ever sent. */
    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // keep reading
            }
        } catch (IOException ended) {
            // the same as its end
        }
    }
}
