package dev.gowork.cli.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.submit.BatchSubmitter;
import dev.gowork.cli.submit.WorkOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The soak's submitter when coordinators are killed: every item has a work id of the soak's own
 * ({@code <prefix><n>}), and goes in batches of up to {@value BatchSubmitter#MAX_ITEMS_PER_REQUEST}
 * through {@code POST /v1/work/batch} to the coordinator that answered last. A batch that fails (the
 * coordinator is down, refuses, or dies before it answers) goes again, with the same ids, to the
 * next coordinator after {@value #RETRY_PAUSE_MILLIS} ms: an add that was committed before its answer
 * was lost is then mirrored everywhere and answered as already added, not added twice. An item is
 * accepted when its work id came back.
 */
final class SubmitToLiveCoordinators {
  static final long RETRY_PAUSE_MILLIS = 1_000;

  private final List<CoordinatorClient> clients;
  private final WorkOptions options;
  private final Duration giveUpAfter;
  private final AtomicInteger resent = new AtomicInteger();

  /** @param giveUpAfter how long a batch may keep failing on every coordinator before the soak fails */
  SubmitToLiveCoordinators(List<CoordinatorClient> clients, WorkOptions options, Duration giveUpAfter) {
    this.clients = List.copyOf(clients);
    this.options = options;
    this.giveUpAfter = giveUpAfter;
  }

  /**
   * Submits every item, in order, item {@code n} (from 0) as work id {@code idPrefix + n}.
   *
   * @param onBatch receives the work ids of each accepted batch
   * @return all work ids, in item order
   * @throws CliException failed when a batch failed on every coordinator for {@code giveUpAfter}, naming the last error
   */
  List<String> submit(List<JsonNode> data, String idPrefix, Consumer<List<String>> onBatch) {
    List<String> ids = new ArrayList<>(data.size());
    int target = 0;
    for (int from = 0; from < data.size(); from += BatchSubmitter.MAX_ITEMS_PER_REQUEST) {
      int to = Math.min(data.size(), from + BatchSubmitter.MAX_ITEMS_PER_REQUEST);
      ArrayNode items = JsonNodeFactory.instance.arrayNode();
      List<String> batch = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        batch.add(idPrefix + i);
        items.add(options.item(data.get(i)).put("workId", idPrefix + i));
      }
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("items", items);
      long deadline = System.nanoTime() + giveUpAfter.toNanos();
      for (String error = send(clients.get(target), body, batch); error != null;
          error = send(clients.get(target), body, batch)) {
        if (System.nanoTime() - deadline > 0) {
          throw CliException.failed("items " + (from + 1) + " to " + to + " were not accepted by any coordinator for "
              + giveUpAfter.toSeconds() + " s (the last error: " + error + "); the " + ids.size()
              + " items before them were submitted");
        }
        target = (target + 1) % clients.size();
        resent.incrementAndGet();
        pause();
      }
      ids.addAll(batch);
      onBatch.accept(batch);
    }
    return ids;
  }

  /** Batches sent again after a failure. */
  int resent() {
    return resent.get();
  }

  /** Null when every id of {@code batch} came back, else why not. */
  private static String send(CoordinatorClient client, JsonNode body, List<String> batch) {
    JsonNode answer;
    try {
      answer = client.post("/v1/work/batch", body);
    } catch (CliException e) {
      return e.getMessage();
    }
    JsonNode ids = answer == null ? null : answer.get("workIds");
    if (ids == null || !ids.isArray() || ids.size() != batch.size()) {
      return client.base() + " answered without " + batch.size() + " workIds";
    }
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.get(i).equals(ids.get(i).asText())) {
        return client.base() + " answered work id " + ids.get(i).asText() + " for " + batch.get(i);
      }
    }
    return null;
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    }
  }
}
