package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gowork.broker.wire.WireCodec;
import org.junit.jupiter.api.Test;

/** A result nested deeper than the coordinator reads is reported failed, not written unreadable. */
class ResultDepthTest {
  private static JsonNode nested(int levels) {
    JsonNode node = JsonNodeFactory.instance.numberNode(1);
    for (int i = 0; i < levels; i++) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      a.add(node);
      node = a;
    }
    return node;
  }

  @Test
  void depthIsExactUpToTheBudgetAndJustOverItBeyond() {
    assertEquals(0, PublishResults.depth(JsonNodeFactory.instance.textNode("x"), 5));
    assertEquals(1, PublishResults.depth(JsonNodeFactory.instance.objectNode(), 5));
    assertEquals(5, PublishResults.depth(nested(5), 5));
    assertEquals(6, PublishResults.depth(nested(6), 5));
    assertEquals(6, PublishResults.depth(nested(1_100), 5), "stops looking past the budget");
  }

  @Test
  void theLimitLeavesRoomForTheEnvelopesOwnLevel() {
    assertEquals(WireCodec.MAX_NESTING_DEPTH - 1, PublishResults.MAX_RESULT_DEPTH);
  }
}
