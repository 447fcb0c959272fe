package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A coordinator that closes leaves the handler group as it leaves the results group, so that the
 * coordinators that go on get its events partitions at once: a static member that merely closes
 * stays a member until the group's session timeout (45 s), and the events of its partitions (those
 * of the work the others now own included) reach no handler meanwhile.
 */
@ExtendWith(KafkaExtension.class)
class HandlerGroupLeaveTest {

  @Test
  void aClosedCoordinatorLeavesTheHandlerGroupAsItLeavesTheResultsGroup(TestKafka k) throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = WorkServer.builder().secret(ServerFixture.SECRET).kafka(k.clients()).topics(topics)
        .clock(MutableClock.atNow()).instanceId("a").build().start();
    try (Admin admin = k.clients().admin()) {
      dev.gowork.coordinator.testing.Poll.until(() -> members(admin, topics.handlerGroup()) == 1,
          Duration.ofSeconds(60), "the handler feed to join its group");
      a.close();
      assertEquals(0, members(admin, topics.coordinatorGroup()), "members of the results group after close");
      assertEquals(0, members(admin, topics.handlerGroup()), "members of the handler group after close");
    }
  }

  private static int members(Admin admin, String group) {
    try {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
          .get(group);
      return d.members().size();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
