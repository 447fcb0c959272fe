package dev.gowork.worker.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which slots the queue's share group refused to take in (it was full: the brokers'
 * {@code group.share.max.size}, 200 members by default, counts every slot of every replica), and when
 * each tries again. A refused slot's consumer is dead (Kafka gives up on a member it refuses), so the
 * slot waits closed and joins again with a new consumer, one slot at a time and one attempt per
 * {@code retryEvery} while the group refuses (any refusal puts every refused slot off that long): each
 * refused attempt costs the broker a join and logs two errors of the Kafka client. A slot that
 * tried again counts as in the group once it has taken work, or once {@code confirmAfter} has passed
 * without a refusal (the broker refuses in its answer to the first heartbeat, well within that).
 *
 * <p>Times are on a monotonic clock ({@link System#nanoTime}). Only the poll thread uses this class.
 */
final class RefusedSlots {
  enum State { IN, REFUSED, RETRYING }

  private final State[] states;
  /** When each REFUSED slot may try again, or when each RETRYING slot counts as in. */
  private final long[] untilNanos;
  private final Duration retryEvery;
  private final Duration confirmAfter;
  /** How many slots are not {@link State#IN}. */
  private int out;

  RefusedSlots(int slots, Duration retryEvery, Duration confirmAfter) {
    this.states = new State[slots];
    this.untilNanos = new long[slots];
    java.util.Arrays.fill(states, State.IN);
    this.retryEvery = retryEvery;
    this.confirmAfter = confirmAfter;
  }

  State state(int slot) {
    return states[slot];
  }

  /**
   * Slot {@code slot} was refused at {@code nowNanos}: no refused slot tries again for {@code retryEvery}.
   *
   * @return true when it is news: no slot was refused before (one warning per episode, not per slot)
   */
  boolean refused(int slot, long nowNanos) {
    boolean news = out == 0;
    set(slot, State.REFUSED);
    // The group is full now: every refused slot waits another interval, not only this one (the next
    // trying at once would be refused as well, one after another, each a join and two errors).
    long next = nowNanos + retryEvery.toNanos();
    for (int i = 0; i < states.length; i++) {
      if (states[i] == State.REFUSED && (i == slot || untilNanos[i] - next < 0)) {
        untilNanos[i] = next;
      }
    }
    return news;
  }

  /** The refused slot to try again now, or -1: none is due, or another one is trying already. */
  int dueForRetry(long nowNanos) {
    int due = -1;
    for (int i = 0; i < states.length; i++) {
      if (states[i] == State.RETRYING) {
        return -1;
      }
      if (due < 0 && states[i] == State.REFUSED && nowNanos - untilNanos[i] >= 0) {
        due = i;
      }
    }
    return due;
  }

  /** Slot {@code slot} tries to join again with a new consumer, from {@code nowNanos}. */
  void retrying(int slot, long nowNanos) {
    set(slot, State.RETRYING);
    untilNanos[slot] = nowNanos + confirmAfter.toNanos();
  }

  /**
   * Slot {@code slot} stopped trying before the group answered (its lane closed while taking no work):
   * refused as before, it tries again as soon as the loop lets it.
   */
  void unanswered(int slot, long nowNanos) {
    set(slot, State.REFUSED);
    untilNanos[slot] = nowNanos;
  }

  /** Slot {@code slot} took work: it is in the group. @return true when it was not counted in before */
  boolean tookWork(int slot) {
    boolean was = states[slot] != State.IN;
    set(slot, State.IN);
    return was;
  }

  /** The retrying slots that have gone {@code confirmAfter} without a refusal, now counted in. */
  List<Integer> confirm(long nowNanos) {
    List<Integer> in = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      if (states[i] == State.RETRYING && nowNanos - untilNanos[i] >= 0) {
        set(i, State.IN);
        in.add(i);
      }
    }
    return in;
  }

  /** How many slots are out of the group (refused, or trying again and not yet counted in). */
  int count() {
    return out;
  }

  private void set(int slot, State state) {
    out += (state == State.IN ? 0 : 1) - (states[slot] == State.IN ? 0 : 1);
    states[slot] = state;
  }

  Duration retryEvery() {
    return retryEvery;
  }
}
