package dev.gowork.cli.submit;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the data of work items to submit. From arguments, each argument is one work's data. From a
 * file or stdin: a document that is one JSON array gives one work per element; otherwise every JSON
 * value in it (one object, or JSON lines) is one work's data. Errors name the argument or the line.
 * Each item's data is limited to the wire codec's record size and nesting depth.
 */
public final class WorkInput {
  /** Most work items one submit reads. */
  public static final int MAX_ITEMS = 1_000_000;

  private final WireCodec codec;

  public WorkInput(WireCodec codec) {
    this.codec = codec;
  }

  /**
   * Each argument is one work's JSON data.
   *
   * @throws CliException usage naming the argument (1-based) when it is not JSON or too large
   */
  public List<JsonNode> fromArgs(List<String> args) {
    List<JsonNode> items = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      Decoded<JsonNode> d = codec.parse(args.get(i).getBytes(StandardCharsets.UTF_8));
      if (!d.isOk()) {
        throw CliException.usage("argument " + (i + 1) + " is not valid work data: " + d.error().message());
      }
      items.add(d.value());
    }
    return items;
  }

  /**
   * Reads a JSON array, one JSON object, or JSON lines from {@code in}.
   *
   * @param source how errors name the input, e.g. the file name or {@code stdin}
   * @throws CliException usage naming the source and the line of the first error
   */
  public List<JsonNode> fromStream(String source, InputStream in) {
    List<JsonNode> values = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    ObjectMapper mapper = codec.mapper();
    ObjectReader json = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
         JsonParser p = mapper.getFactory().createParser(reader)) {
      boolean inValue = false;
      try {
        while (p.nextToken() != null) {
          if (values.size() >= MAX_ITEMS) {
            throw CliException.usage(source + " holds more than " + MAX_ITEMS + " work items; split it");
          }
          lines.add(p.currentTokenLocation().getLineNr());
          inValue = true;
          values.add(json.readTree(p));
          inValue = false;
        }
      } catch (JsonProcessingException e) {
        // The parser's token location is still that of the last token it read whole.
        throw invalid(source, e, lines, inValue, p.currentTokenLocation().getLineNr());
      }
    } catch (IOException e) {
      throw CliException.usage("cannot read " + source + ": " + e.getMessage());
    }
    if (values.isEmpty()) {
      throw CliException.usage(source + " holds no JSON: expected an object, an array of objects or JSON lines");
    }
    if (values.size() == 1 && values.get(0).isArray() && values.get(0).isEmpty()) {
      throw CliException.usage(source + " holds an empty array: no work to submit");
    }
    if (values.size() == 1 && values.get(0).isArray()) {
      List<JsonNode> items = new ArrayList<>();
      values.get(0).forEach(items::add);
      checkSizes(source, items, null);
      return items;
    }
    checkSizes(source, values, lines);
    return values;
  }

  /**
   * Names the line to fix: where the parser gave up, except for a value begun and read to the end of its
   * line without ending (a JSON line short of its '}'), which the parser notices only at the next line's
   * first token, or at the end of the input: then the line it began on.
   */
  private static CliException invalid(String source, JsonProcessingException e, List<Integer> lines, boolean inValue,
      int lastTokenLine) {
    JsonLocation at = e.getLocation();
    String where = at != null && at.getLineNr() > 0 ? " line " + at.getLineNr() + ", column " + at.getColumnNr()
        : lines.isEmpty() ? "" : " item " + (lines.size()) + " (line " + lines.get(lines.size() - 1) + ")";
    // Valid JSON past a reader's limit (a string over 1 MiB, a number over 1,000 digits) is too large, not malformed.
    String what = e instanceof StreamConstraintsException ? "too large to submit" : "not valid JSON";
    String detail = firstLine(WireCodec.complaint(e.getOriginalMessage()));
    int began = inValue ? lines.get(lines.size() - 1) : -1;
    if (at != null && at.getLineNr() > began && began == lastTokenLine) {
      where = " line " + began;
      detail = "its value does not end on that line (at line " + at.getLineNr() + ", column " + at.getColumnNr()
          + ": " + detail + ")";
    }
    return CliException.usage(source + where + ": " + what + ": " + detail);
  }

  private void checkSizes(String source, List<JsonNode> items, List<Integer> lines) {
    for (int i = 0; i < items.size(); i++) {
      int size = codec.write(items.get(i)).length;
      if (size > codec.maxRecordBytes()) {
        throw CliException.usage(source + " item " + (i + 1) + (lines == null ? "" : " (line " + lines.get(i) + ")")
            + " is " + size + " bytes, over the limit of " + codec.maxRecordBytes());
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "malformed";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
