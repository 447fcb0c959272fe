package dev.gowork.coordinator.http;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready when Kafka answers (a cluster description within a short timeout) and the named topics
 * exist. The answer is kept for a moment, so that probes, however frequent, cost Kafka at most one
 * check per {@code cacheFor}; one check runs at a time. Owns and closes its admin client.
 */
public final class KafkaReadiness implements Readiness, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaReadiness.class);
  private final Admin admin;
  private final List<String> topics;
  private final Duration timeout;
  private final long cacheNanos;
  private final LongSupplier nanoTime;
  private Optional<String> last;
  private long checkedAt;
  private long notReadySince;

  /**
   * @param admin used for the checks; closed by {@link #close()}
   * @param topics that must exist, e.g. the results and events topics
   * @param nanoTime the clock of the cache, {@code System::nanoTime} outside tests
   */
  public KafkaReadiness(Admin admin, Collection<String> topics, Duration timeout, Duration cacheFor,
      LongSupplier nanoTime) {
    this.admin = admin;
    this.topics = List.copyOf(topics);
    this.timeout = timeout;
    this.cacheNanos = cacheFor.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public synchronized Optional<String> problem() {
    long now = nanoTime.getAsLong();
    if (last == null || now - checkedAt >= cacheNanos) {
      Optional<String> before = last;
      last = check();
      checkedAt = nanoTime.getAsLong();
      logChange(before, now);
    }
    return last;
  }

  /**
   * Logs each change once: Kafka lost (WARN) and back (INFO, with how long it was away), so that an
   * outage shows in the log even where nothing else talks to Kafka meanwhile.
   */
  private void logChange(Optional<String> before, long now) {
    if (last.isPresent() && (before == null || before.isEmpty())) {
      LOG.warn("not ready: {}", last.get());
      notReadySince = now;
    } else if (last.isEmpty() && before != null && before.isPresent()) {
      LOG.info("ready again: Kafka answers (not ready for {} s)", Duration.ofNanos(now - notReadySince).toSeconds());
    }
  }

  /** 1 when the last check found Kafka answering and the topics there, else 0; never asks Kafka itself. */
  public synchronized double lastReady() {
    return last != null && last.isEmpty() ? 1 : 0;
  }

  private Optional<String> check() {
    int ms = (int) timeout.toMillis();
    try {
      if (admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes()
          .get(ms + 500L, TimeUnit.MILLISECONDS).isEmpty()) {
        return Optional.of("Kafka answers but lists no brokers");
      }
      Set<String> existing = admin.listTopics(new ListTopicsOptions().timeoutMs(ms)).names()
          .get(ms + 500L, TimeUnit.MILLISECONDS);
      Set<String> missing = new TreeSet<>(topics);
      missing.removeAll(existing);
      return missing.isEmpty() ? Optional.empty() : Optional.of("topics missing: " + missing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while asking Kafka");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.debug("readiness check failed: {}", e.toString());
      return Optional.of("Kafka does not answer within " + ms + " ms");
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
