package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.coordinator.auth.WorkerSummary;
import dev.gowork.coordinator.queue.GroupSize;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Instant;

/** The JSON shapes of the API's answers. */
final class Views {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Views() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * {@code {"workId","queue","state","attempts","maxAttempts","result","error","workerId","createdAt","updatedAt",
   * "deadline"}}, {@code "workerName"} when the worker table knows that worker's name,
   * {@code "progress":{"percent","message"}} while running work has reported some, and {@code "runAt"} for
   * work added with a delay.
   */
  static ObjectNode status(WorkStatus s) {
    ObjectNode n = object();
    n.put("workId", s.workId());
    n.put("queue", s.queue());
    n.put("state", s.state().wireName());
    n.put("attempts", s.attempts());
    n.put("maxAttempts", s.maxAttempts());
    if (s.result() == null) {
      n.putNull("result");
    } else {
      n.set("result", s.result());
    }
    n.put("error", s.error());
    n.put("workerId", s.workerId());
    if (s.workerName() != null) {
      n.put("workerName", s.workerName());
    }
    time(n, "createdAt", s.createdAt());
    time(n, "updatedAt", s.updatedAt());
    time(n, "deadline", s.deadline());
    if (s.progress() != null) {
      n.set("progress", s.progress().toJson());
    }
    if (s.runAt() != null) {
      time(n, "runAt", s.runAt());
    }
    return n;
  }

  /** {@code {"workerId","name","state","registeredAt","lastSeen","sessionExpiresAt"}} ({@code name} null when none was given). */
  static ObjectNode worker(WorkerSummary w) {
    ObjectNode n = object();
    n.put("workerId", w.workerId());
    n.put("name", w.name());
    n.put("state", w.state().wireName());
    time(n, "registeredAt", w.registeredAt());
    time(n, "lastSeen", w.lastSeen());
    time(n, "sessionExpiresAt", w.sessionExpiresAt());
    return n;
  }

  /**
   * {@code {"name","members","maxMembers","full","checkedAt"}}, and {@code "warning"} when full; {@code members}
   * and {@code checkedAt} are null until counted, {@code maxMembers} while the brokers' limit is unknown.
   */
  static ObjectNode shareGroup(GroupSize g) {
    ObjectNode n = object();
    n.put("name", g.group());
    n.put("members", g.members());
    n.put("maxMembers", g.maxMembers());
    n.put("full", g.full());
    time(n, "checkedAt", g.checkedAt());
    if (g.full()) {
      n.put("warning", GroupSize.FULL_WARNING);
    }
    return n;
  }

  static void time(ObjectNode n, String field, Instant t) {
    if (t == null) {
      n.putNull(field);
    } else {
      n.put(field, dev.gowork.broker.wire.WireCodec.timeText(t));
    }
  }
}
