package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads the fields of one envelope, from a parsed tree or from {@link FieldValues}, with the same
 * rules either way, and keeps the first field error.
 */
final class EnvelopeFields {
  private final JsonNode node;
  private final FieldValues values;
  private final String what;
  private DecodeError error;

  /** The fields of a parsed tree. */
  EnvelopeFields(JsonNode node, String what) {
    this(node, null, what);
    if (node == null || !node.isObject()) {
      fail(DecodeError.Kind.MALFORMED_JSON, what + " must be a JSON object");
    }
  }

  /** The fields read by a streaming parser; null when the value was not an object. */
  EnvelopeFields(FieldValues values, String what) {
    this(null, values, what);
    if (values == null) {
      fail(DecodeError.Kind.MALFORMED_JSON, what + " must be a JSON object");
    }
  }

  private EnvelopeFields(JsonNode node, FieldValues values, String what) {
    this.node = node;
    this.values = values;
    this.what = what;
  }

  private JsonNode get(String name) {
    return values != null ? values.get(name) : node.get(name);
  }

  boolean failed() {
    return error != null;
  }

  <T> Decoded<T> failure() {
    return Decoded.failure(error.kind(), error.message());
  }

  void fail(DecodeError.Kind kind, String message) {
    if (error == null) {
      error = new DecodeError(kind, message);
    }
  }

  private JsonNode field(String name, boolean required) {
    if (failed()) {
      return null;
    }
    JsonNode v = get(name);
    if ((v == null || v.isNull()) && required) {
      fail(DecodeError.Kind.MISSING_FIELD, what + " is missing field '" + name + "'");
      return null;
    }
    return v == null || v.isNull() ? null : v;
  }

  void schema(String expected, boolean required) {
    JsonNode v = field("schema", required);
    if (v != null && !expected.equals(v.asText())) {
      fail(DecodeError.Kind.UNSUPPORTED_SCHEMA,
          what + " schema '" + WireCodec.shown(v.asText()) + "' is not supported; expected '" + expected + "'");
    }
  }

  String string(String name, boolean required) {
    JsonNode v = field(name, required);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' must be a string");
      return null;
    }
    return v.textValue();
  }

  String nullableString(String name) {
    return string(name, false);
  }

  /**
   * An optional string a reader can do without (an event's {@code workerName}, {@code error}...): null
   * when absent or not a string, so that a mistyped one costs the field, never the envelope.
   */
  String optionalString(String name) {
    JsonNode v = field(name, false);
    return v != null && v.isTextual() ? v.textValue() : null;
  }

  /**
   * An optional non-negative integer a reader can do without (an event's {@code attempt}...): -1 when
   * absent or anything else (another type, a fraction, a negative or a number past {@code long}).
   */
  long optionalCount(String name) {
    JsonNode v = field(name, false);
    return v != null && v.getNodeType() == JsonNodeType.NUMBER && v.isIntegralNumber() && v.canConvertToLong()
        && v.asLong() >= 0 ? v.asLong() : -1;
  }

  String id(String name) {
    String s = string(name, true);
    if (s != null && (s.isEmpty() || s.length() > WireCodec.MAX_ID_LENGTH)) {
      fail(DecodeError.Kind.INVALID_FIELD,
          what + " field '" + name + "' must be 1-" + WireCodec.MAX_ID_LENGTH + " characters");
    }
    return s;
  }

  JsonNode any(String name, boolean required) {
    if (failed()) {
      return null;
    }
    JsonNode v = get(name);
    if (v == null) {
      if (required) {
        fail(DecodeError.Kind.MISSING_FIELD, what + " is missing field '" + name + "'");
      }
      return required ? null : NullNode.instance;
    }
    return v;
  }

  int positiveInt(String name, boolean required, int fallback) {
    long v = positiveLong(name, required, fallback);
    if (!failed() && v < 1) {
      fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' must be at least 1");
      return fallback;
    }
    if (v > Integer.MAX_VALUE) {
      fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' is too large");
      return fallback;
    }
    return (int) v;
  }

  long positiveLong(String name, boolean required, long fallback) {
    JsonNode v = field(name, required);
    if (v == null) {
      return fallback;
    }
    if (v.getNodeType() != JsonNodeType.NUMBER || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' must be a non-negative integer");
      return fallback;
    }
    return v.asLong();
  }

  Instant instant(String name, boolean required) {
    String s = string(name, required);
    if (s == null) {
      return null;
    }
    try {
      return InstantText.parse(s);
    } catch (DateTimeParseException e) {
      fail(DecodeError.Kind.INVALID_FIELD,
          what + " field '" + name + "' must be an ISO-8601 UTC time such as 2026-11-28T10:00:00Z");
      return null;
    }
  }
}
