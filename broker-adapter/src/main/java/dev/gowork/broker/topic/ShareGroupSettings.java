package dev.gowork.broker.topic;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-group settings of a share group, applied by {@link TopicProvisioner#configureShareGroup}
 * before its first member joins.
 *
 * @param lockDuration how long a member may hold a record before it is delivered to another
 *     ({@code share.record.lock.duration.ms}; the broker bounds it, 15 s..60 s by default)
 * @param deliveryCountLimit deliveries before a record is given up ({@code share.delivery.count.limit}, 2..10)
 * @param autoOffsetReset where a new group starts ({@code share.auto.offset.reset}): {@code earliest},
 *     {@code latest} or {@code by_duration:<ISO-8601 duration>}; null means {@code earliest}
 * @param heartbeatInterval the members' heartbeat ({@code share.heartbeat.interval.ms}); empty keeps the
 *     broker's default. Shorter means faster joins; the broker's minimum is 5 s unless lowered.
 * @param deadLetterTopic where rejected and exhausted records go ({@code errors.deadletterqueue.topic.name});
 *     the name must carry the broker's DLQ prefix, {@code dlq.} by default
 */
public record ShareGroupSettings(Duration lockDuration, int deliveryCountLimit, String autoOffsetReset,
                                 Optional<Duration> heartbeatInterval, Optional<String> deadLetterTopic) {

    /**
     * @throws IllegalArgumentException if a duration is not positive, the limit below 1 or the DLQ name blank
     */
    public ShareGroupSettings {
        Objects.requireNonNull(lockDuration, "lockDuration");
        requirePositive(lockDuration, "lockDuration");
        if (deliveryCountLimit < 1) {
            throw new IllegalArgumentException("deliveryCountLimit must be at least 1, was " + deliveryCountLimit);
        }
        autoOffsetReset = autoOffsetReset == null ? "earliest" : autoOffsetReset.strip();
        if (autoOffsetReset.isEmpty()) {
            throw new IllegalArgumentException("autoOffsetReset must not be blank");
        }
        heartbeatInterval = heartbeatInterval == null ? Optional.empty() : heartbeatInterval;
        heartbeatInterval.ifPresent(interval -> requirePositive(interval, "heartbeatInterval"));
        deadLetterTopic = deadLetterTopic == null ? Optional.empty() : deadLetterTopic;
        if (deadLetterTopic.filter(String::isBlank).isPresent()) {
            throw new IllegalArgumentException("deadLetterTopic must not be blank");
        }
    }

    /** Lock 30 s, 5 deliveries, {@code earliest}, the broker's heartbeat, no dead-letter topic. */
    public static ShareGroupSettings defaults() {
        return new ShareGroupSettings(Duration.ofSeconds(30), 5, "earliest", Optional.empty(), Optional.empty());
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }
}
