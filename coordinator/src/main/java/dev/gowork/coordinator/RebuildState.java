package dev.gowork.coordinator;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.state.ReadToEnd;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run once by {@code start()}, after the transactional producer fenced any predecessor and before
 * results are consumed: reads {@code <p>.sessions} and {@code <p>.state} to their end (committed
 * records only) and rebuilds the sessions and the work table. The deadlines to watch and the retries
 * to make are planned when the coordinator group hands this coordinator the items' results
 * partitions (once, for the items it owns); an item whose deadline passed while no coordinator ran
 * is then simply due, and the first {@code ExpireTimedOutWork} tick times it out. A record that does not decode is reported
 * ({@code record_rejected}, and a warning) and skipped; it never stops the start.
 */
final class RebuildState {
  private static final Logger LOG = LoggerFactory.getLogger(RebuildState.class);

  record Summary(int sessions, int work, int skipped, long millis) {}

  private RebuildState() {}

  /** @param ends receives, per partition of both topics, the offset the rebuild read up to */
  static Summary run(KafkaClients kafka, Topics topics, Duration timeout, WorkerRegistry workers, WorkTable table,
      EventDispatcher events, Map<org.apache.kafka.common.TopicPartition, Long> ends) {
    long began = System.nanoTime();
    int[] skipped = {0};
    Map<String, ReadToEnd.Stored> sessions = ReadToEnd.read(kafka, topics.sessions(), timeout,
        where -> skip(events, skipped, where, "record without a key"), ends);
    int restoredSessions = 0;
    for (ReadToEnd.Stored s : sessions.values()) {
      String[] problem = new String[1];
      if (workers.restore(s.key(), s.value(), problem)) {
        restoredSessions++;
      } else {
        skip(events, skipped, s.where(), problem[0]);
      }
    }
    Map<String, ReadToEnd.Stored> state = ReadToEnd.read(kafka, topics.state(), timeout,
        where -> skip(events, skipped, where, "record without a key"), ends);
    int restoredWork = 0;
    for (ReadToEnd.Stored s : state.values()) {
      String[] problem = new String[1];
      Optional<WorkTable.Restored> r = table.restore(s.key(), s.value(), problem);
      if (r.isEmpty()) {
        skip(events, skipped, s.where(), problem[0]);
        continue;
      }
      restoredWork++;
    }
    table.rebuilt();
    Summary sum = new Summary(restoredSessions, restoredWork, skipped[0],
        Duration.ofNanos(System.nanoTime() - began).toMillis());
    LOG.info("rebuilt {} sessions and {} work items from {} and {} in {} ms ({} records skipped)", sum.sessions(),
        sum.work(), topics.sessions(), topics.state(), sum.millis(), sum.skipped());
    return sum;
  }

  private static void skip(EventDispatcher events, int[] skipped, String where, String problem) {
    skipped[0]++;
    LOG.warn("skipping state record {}: {}", where, problem);
    events.event(EventType.RECORD_REJECTED).error(where + ": " + problem).fire();
  }
}
