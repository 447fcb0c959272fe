package dev.gowork.cli.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Submits many work items through {@code POST /v1/work/batch}, in requests of at most
 * {@value #MAX_ITEMS_PER_REQUEST} items and about {@value #MAX_BODY_BYTES} bytes, one after another.
 */
public final class BatchSubmitter {
  /** Most items in one batch request. */
  public static final int MAX_ITEMS_PER_REQUEST = 1000;
  /** Body size a request is kept under, unless a single item is larger. */
  public static final int MAX_BODY_BYTES = 900 * 1024;

  private final CoordinatorClient client;
  private final WorkOptions options;
  private final WireCodec codec;

  public BatchSubmitter(CoordinatorClient client, WorkOptions options, WireCodec codec) {
    this.client = client;
    this.options = options;
    this.codec = codec;
  }

  /**
   * Submits every item, in order.
   *
   * @param onBatch receives the work ids of each accepted request, in item order
   * @return all work ids, in item order
   * @throws CliException failed naming the refused range of items and how many were already submitted
   */
  public List<String> submit(List<JsonNode> data, Consumer<List<String>> onBatch) {
    List<ObjectNode> items = new ArrayList<>(data.size());
    int[] sizes = new int[data.size()];
    for (int i = 0; i < data.size(); i++) {
      items.add(options.item(data.get(i)));
      sizes[i] = codec.write(items.get(i)).length + 1;
    }
    List<String> ids = new ArrayList<>(data.size());
    for (int[] range : chunks(sizes, MAX_ITEMS_PER_REQUEST, MAX_BODY_BYTES)) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      items.subList(range[0], range[1]).forEach(array::add);
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("items", array);
      List<String> batch;
      try {
        batch = workIds(client.post("/v1/work/batch", body), range[1] - range[0]);
      } catch (CliException e) {
        String which = range[1] - range[0] == 1 ? "item " + range[1] + " was" : "items " + (range[0] + 1) + " to " + range[1]
            + " were";
        throw CliException.failed(which + " not submitted: " + e.getMessage()
            + (ids.isEmpty() ? "" : "; the " + ids.size() + " items before them were submitted"), e);
      }
      ids.addAll(batch);
      onBatch.accept(batch);
    }
    return ids;
  }

  /**
   * Splits items of the given sizes into consecutive [from, to) ranges of at most {@code maxItems}
   * items and {@code maxBytes} bytes (an item larger than that travels alone).
   */
  static List<int[]> chunks(int[] sizes, int maxItems, int maxBytes) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < sizes.length; i++) {
      boolean full = i - from >= maxItems || (i > from && bytes + sizes[i] > maxBytes);
      if (full) {
        out.add(new int[] {from, i});
        from = i;
        bytes = 0;
      }
      bytes += sizes[i];
    }
    if (from < sizes.length) {
      out.add(new int[] {from, sizes.length});
    }
    return out;
  }

  private static List<String> workIds(JsonNode answer, int expected) {
    JsonNode ids = answer == null ? null : answer.get("workIds");
    if (ids == null || !ids.isArray() || ids.size() != expected) {
      throw CliException.failed("the coordinator's answer lacks " + expected + " workIds: "
          + (answer == null ? "(empty)" : abbreviate(answer.toString())));
    }
    List<String> out = new ArrayList<>(expected);
    ids.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }
}
