package dev.gowork.broker.topic;

import java.util.Map;
import org.apache.kafka.common.KafkaException;

/**
 * The brokers refused a share group setting: a value outside the bounds they allow for it (their
 * {@code group.share.min.*} and {@code group.share.max.*} settings, e.g. a lock of at most 60 s by
 * default). Not a Kafka outage: trying again with the same value fails again. The message names the
 * group, what the brokers said, and the GoWork setting to change.
 */
public final class ShareGroupSettingRefused extends KafkaException {
    private static final long serialVersionUID = 1L;
    /** What to change for each group setting GoWork sets: its GoWork setting and what the brokers allow. */
    private static final Map<String, String> SETTINGS = Map.of(
            "share.record.lock.duration.ms", "set GOWORK_SHARE_LOCK_SECONDS (the brokers bound it with "
                    + "group.share.min.record.lock.duration.ms and group.share.max.record.lock.duration.ms, "
                    + "15 s to 60 s by default) within the range the brokers allow",
            "share.heartbeat.interval.ms", "set GOWORK_SHARE_HEARTBEAT_MS (the brokers bound it with "
                    + "group.share.min.heartbeat.interval.ms and group.share.max.heartbeat.interval.ms, 5 s to 15 s "
                    + "by default; unset, the group keeps the brokers' default) within the range the brokers allow",
            "share.delivery.count.limit", "set GOWORK_SHARE_DELIVERY_LIMIT (the brokers bound it with "
                    + "group.share.min.delivery.count.limit and group.share.max.delivery.count.limit, 2 to 10 by default)"
                    + " within the range the brokers allow",
            "errors.deadletterqueue.topic.name", "set GOWORK_DEAD_LETTER_TOPIC to a name that starts with the "
                    + "brokers' errors.deadletterqueue.topic.name.prefix (dlq. by default)");

    ShareGroupSettingRefused(String groupId, Throwable cause) {
        super(describe(groupId, cause.getMessage()), cause);
    }

    /** Refused before asking the brokers, by a rule of theirs GoWork checks up front ({@code refusal} says which). */
    ShareGroupSettingRefused(String groupId, String refusal) {
        super(describe(groupId, refusal));
    }

    static String describe(String groupId, String refusal) {
        String setting = SETTINGS.entrySet().stream()
                .filter(e -> refusal != null && refusal.contains(e.getKey()))
                .map(e -> "; " + e.getValue())
                .findFirst().orElse("");
        return "the brokers refused a setting of share group '" + groupId + "': " + refusal + setting;
    }
}
