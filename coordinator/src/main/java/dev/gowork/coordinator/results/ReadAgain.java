package dev.gowork.coordinator.results;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Which records of the results topic the results loop reads again. Below the furthest offset this
 * coordinator decided on a partition, a record was decided here already: the consumer went back to a
 * committed offset behind it (the group dropped this member and it rejoined, or its member epoch went
 * stale). Below a partition's end at the moment the loop unstuck it ({@link UnstableOffsets}), a
 * record may have been decided by the coordinator that left its offset pending. Used by the consumer
 * thread only.
 */
final class ReadAgain {
  /** How a record is being read. */
  enum Kind {
    /** Not known to have been read before. */
    FIRST,
    /** This coordinator decided this very record before (accepted it, or refused and reported it). */
    DECIDED_HERE,
    /** Read again after an unstick: maybe decided by the coordinator that left the offset pending. */
    AFTER_UNSTICK
  }

  private final Map<TopicPartition, Long> decidedBelow = new HashMap<>();
  private final Map<TopicPartition, Long> unstuckBelow = new HashMap<>();

  Kind of(TopicPartition tp, long offset) {
    if (offset < decidedBelow.getOrDefault(tp, 0L)) {
      return Kind.DECIDED_HERE;
    }
    return offset < unstuckBelow.getOrDefault(tp, 0L) ? Kind.AFTER_UNSTICK : Kind.FIRST;
  }

  /** The record at {@code offset} was decided here (records are decided in order). */
  void decided(TopicPartition tp, long offset) {
    decidedBelow.merge(tp, offset + 1, Math::max);
  }

  /** The loop went back on {@code tp} to its last stable committed offset; {@code end} was its end then. */
  void unstuck(TopicPartition tp, long end) {
    unstuckBelow.merge(tp, end, Math::max);
  }
}
