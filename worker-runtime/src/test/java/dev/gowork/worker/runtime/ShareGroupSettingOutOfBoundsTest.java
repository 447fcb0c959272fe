package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A share group setting the brokers refuse (a lock past their group.share.max.record.lock.duration.ms,
 * 60 s by default, while GoWork takes up to an hour) stops the replica as a bad setting naming the one to
 * change (exit 2), not as Kafka being away (exit 1, which a supervisor restarts into the same failure).
 */
@ExtendWith(KafkaExtension.class)
class ShareGroupSettingOutOfBoundsTest {

  @Test
  void aLockLongerThanTheBrokersAllowIsABadSettingNamingGoworkShareLockSeconds(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      GoWorkException e = assertThrows(GoWorkException.class,
          () -> f.start(f.settings(1).lockDuration(Duration.ofSeconds(120)), (data, ctx) -> data));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("GOWORK_SHARE_LOCK_SECONDS")
          && e.getMessage().contains("share.record.lock.duration.ms must be in the range"), e.getMessage());
    }
  }

  /** A dead-letter topic without the brokers' DLQ prefix is refused up front: a bad setting too, not an outage. */
  @Test
  void aDeadLetterTopicWithoutTheBrokersPrefixIsABadSettingNamingGoworkDeadLetterTopic(TestKafka kafka)
      throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      GoWorkException e = assertThrows(GoWorkException.class,
          () -> f.start(f.settings(1).deadLetterTopic("nodlq." + kafka.topicPrefix()), (data, ctx) -> data));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("GOWORK_DEAD_LETTER_TOPIC"), e.getMessage());
    }
  }
}
