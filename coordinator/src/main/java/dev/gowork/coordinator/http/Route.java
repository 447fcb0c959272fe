package dev.gowork.coordinator.http;

import dev.gowork.broker.wire.WireCodec;
import java.util.List;
import java.util.Map;

/**
 * One route: a method, a path template such as {@code /v1/work/{id}/result} (a {@code {name}}
 * segment matches any one non-empty segment), who may call it, the codec that parses its body (whose record limit is the body limit) and its
 * handler.
 */
record Route(String method, String template, Access access, WireCodec codec, Handler handler) {

  List<String> segments() {
    return Call.split(template);
  }

  /** How many segments of the template are literal: a path that fits several templates takes the most literal. */
  int literals() {
    return (int) segments().stream().filter(s -> !(s.startsWith("{") && s.endsWith("}"))).count();
  }

  /** The path parameters when {@code path} (already split) fits the template, else {@code null}. */
  Map<String, String> match(List<String> path) {
    List<String> t = segments();
    if (t.size() != path.size()) {
      return null;
    }
    Map<String, String> params = new java.util.HashMap<>();
    for (int i = 0; i < t.size(); i++) {
      String seg = t.get(i);
      if (seg.startsWith("{") && seg.endsWith("}")) {
        if (path.get(i).isEmpty()) {
          return null;
        }
        params.put(seg.substring(1, seg.length() - 1), path.get(i));
      } else if (!seg.equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }
}
