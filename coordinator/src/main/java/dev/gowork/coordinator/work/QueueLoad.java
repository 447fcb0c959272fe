package dev.gowork.coordinator.work;

import java.util.Map;

/**
 * One queue's unfinished work at a moment: how many items are in each state, and the queue's latency.
 *
 * @param byState items per state (scheduled, queued, running, retry_wait); a state with none is absent
 * @param latencyMs how long the oldest item that could run now has waited (as Sidekiq's queue latency), 0 when
 *     none waits: queued work from when it was queued (a retry or requeue from when it was queued again), work
 *     added with a delay from its run time once that has come. Running, retrying and finished work does not count.
 */
public record QueueLoad(Map<WorkState, Long> byState, long latencyMs) {
  public QueueLoad {
    byState = Map.copyOf(byState);
  }

  /** How many items are in {@code state}. */
  public long count(WorkState state) {
    return byState.getOrDefault(state, 0L);
  }
}
