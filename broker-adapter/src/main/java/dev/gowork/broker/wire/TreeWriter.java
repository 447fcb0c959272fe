package dev.gowork.broker.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Map;

/**
 * Writes a JSON tree to a generator with the same bytes as the mapper's own serialization, without
 * creating a serializer provider per value. Trees made only of the node types a parser produces are
 * walked here; any other node (POJO, binary, raw, missing, a subclass) sends the whole tree to the mapper.
 */
final class TreeWriter {
  private TreeWriter() {
  }

  static void write(JsonGenerator g, JsonNode node, ObjectMapper mapper) throws IOException {
    if (isPlain(node)) {
      walk(g, node);
    } else {
      mapper.writeTree(g, node);
    }
  }

  private static boolean isPlain(JsonNode n) {
    Class<?> c = n.getClass();
    if (c == ObjectNode.class || c == ArrayNode.class) {
      for (JsonNode child : n) {
        if (!isPlain(child)) {
          return false;
        }
      }
      return true;
    }
    return c == TextNode.class || c == IntNode.class || c == LongNode.class || c == DoubleNode.class
        || c == BooleanNode.class || c == NullNode.class || c == BigIntegerNode.class;
  }

  private static void walk(JsonGenerator g, JsonNode n) throws IOException {
    switch (n.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject(n, n.size());
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          g.writeFieldName(e.getKey());
          walk(g, e.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray(n, n.size());
        for (int i = 0; i < n.size(); i++) {
          walk(g, n.get(i));
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(n.textValue());
      case BOOLEAN -> g.writeBoolean(n.booleanValue());
      case NULL -> g.writeNull();
      case NUMBER -> writeNumber(g, n);
      default -> throw new IllegalStateException("not a plain node: " + n.getNodeType());
    }
  }

  private static void writeNumber(JsonGenerator g, JsonNode n) throws IOException {
    if (n instanceof IntNode) {
      g.writeNumber(n.intValue());
    } else if (n instanceof LongNode) {
      g.writeNumber(n.longValue());
    } else if (n instanceof DoubleNode) {
      g.writeNumber(n.doubleValue());
    } else {
      g.writeNumber(n.bigIntegerValue());
    }
  }
}
