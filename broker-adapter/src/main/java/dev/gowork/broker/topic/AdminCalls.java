package dev.gowork.broker.topic;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;

/** Waits for admin results, turning every failure into a {@link KafkaException} that says what failed. */
final class AdminCalls {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private AdminCalls() {
    }

    static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new KafkaException(what + " failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new KafkaException(what + " did not finish within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException(what + " was interrupted", e);
        }
    }
}
