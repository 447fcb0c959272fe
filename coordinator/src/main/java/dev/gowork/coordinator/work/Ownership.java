package dev.gowork.coordinator.work;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Utils;

/**
 * Which work this coordinator decides about. Coordinators of one prefix split the partitions of
 * {@code <p>.results} through their consumer group; work ids hash to partitions exactly as Kafka's
 * default partitioner places keyed records, so a coordinator owns the work whose results it reads,
 * and the same partition of {@code <p>.state}. Only the owner of a work item times it out, retries
 * it, applies its results or requeues it; every coordinator may add work and answer status queries.
 * Thread-safe: the owned set is replaced whole.
 */
public final class Ownership {
  private volatile int partitions;
  private final boolean everything;
  private volatile Set<Integer> owned = Set.of();

  private Ownership(int partitions, boolean everything) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be positive, was " + partitions);
    }
    this.partitions = partitions;
    this.everything = everything;
  }

  /** Ownership of the given partitions as the consumer group assigns them (nothing at first). */
  public static Ownership byPartition(int partitions) {
    return new Ownership(partitions, false);
  }

  /** Owns every work id (a table with no Kafka behind it, e.g. in unit tests). */
  public static Ownership everything() {
    return new Ownership(1, true);
  }

  /** The partition Kafka's default partitioner gives a record keyed {@code key} among {@code partitions}. */
  public static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Sets how many partitions {@code <p>.results} (and so {@code <p>.state}) really has; before any is owned. */
  public void partitionCount(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("partitions must be positive, was " + n);
    }
    partitions = n;
  }

  /** How many partitions {@code <p>.results} has (as last set). */
  public int partitionCount() {
    return partitions;
  }

  public int partitionOf(String key) {
    return partitionOf(key, partitions);
  }

  /** True when this coordinator decides about {@code key} (a work id, or a worker id for its session expiry). */
  public boolean owns(String key) {
    return everything || owned.contains(partitionOf(key, partitions));
  }

  /** True when every partition is owned (no other coordinator of the prefix holds one). */
  public boolean ownsAll() {
    return everything || owned.size() >= partitions;
  }

  /** True when at least one partition is owned. */
  public boolean ownsAny() {
    return everything || !owned.isEmpty();
  }

  public Set<Integer> owned() {
    return owned;
  }

  public synchronized void gained(Collection<Integer> parts) {
    Set<Integer> next = new TreeSet<>(owned);
    next.addAll(parts);
    owned = Set.copyOf(next);
  }

  public synchronized void lost(Collection<Integer> parts) {
    Set<Integer> next = new TreeSet<>(owned);
    next.removeAll(parts);
    owned = Set.copyOf(next);
  }
}
