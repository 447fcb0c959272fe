package dev.gowork.broker.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;

/**
 * The values of a known set of fields, read from one JSON object with a streaming parser, each as
 * the same {@link JsonNode} the tree model would have given for it. Scalars are made directly;
 * containers, floats and big integers go through the mapper's tree reader. Values of unknown fields
 * are read the same way (so they are checked exactly as before) and dropped.
 */
final class FieldValues {
  /** Reads the container (or float, or big integer) where a parser stands as a tree. */
  @FunctionalInterface
  interface Trees {
    JsonNode read(JsonParser p) throws IOException;
  }

  /** Stands for a value that was not an object. */
  static final FieldValues NOT_AN_OBJECT = new FieldValues(new String[0]);
  private final String[] names;
  private final JsonNode[] values;

  private FieldValues(String[] names) {
    this.names = names;
    this.values = new JsonNode[names.length];
  }

  /**
   * Reads the object whose {@code START_OBJECT} is the parser's current token, up to and including
   * its {@code END_OBJECT}.
   */
  static FieldValues read(JsonParser p, String[] names, Trees trees) throws IOException {
    FieldValues f = new FieldValues(names);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      JsonNode v = value(p, trees);
      int i = f.indexOf(name);
      if (i >= 0) {
        f.values[i] = v;
      }
    }
    return f;
  }

  /** Any JSON value, the parser being at its first token, as the tree the mapper would build. */
  static JsonNode value(JsonParser p, Trees trees) throws IOException {
    JsonNode v = scalar(p, p.currentToken());
    if (v == null) {
      v = trees.read(p);
    }
    return v == null ? NullNode.instance : v;
  }

  /** The value of {@code name}, or null when the object had no such field. */
  JsonNode get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The node for a scalar token, as Jackson's tree deserializer builds it; null for anything else. */
  private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      return null;
    }
    switch (t) {
      case VALUE_STRING:
        return TextNode.valueOf(p.getText());
      case VALUE_NUMBER_INT:
        JsonParser.NumberType type = p.getNumberType();
        if (type == JsonParser.NumberType.INT) {
          return IntNode.valueOf(p.getIntValue());
        }
        return type == JsonParser.NumberType.LONG ? LongNode.valueOf(p.getLongValue()) : null;
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return NullNode.instance;
      default:
        return null;
    }
  }
}
