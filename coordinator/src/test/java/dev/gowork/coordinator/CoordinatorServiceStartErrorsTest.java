package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.util.Optional;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** What a start that fails on Kafka tells the operator. */
class CoordinatorServiceStartErrorsTest {
  @Test
  void anExternalKafkaThatDoesNotAnswerIsNamedWithItsSetting() {
    GoWorkException raw = new GoWorkException(ErrorCode.UNAVAILABLE, "could not create the results ... topics: "
        + "Timed out waiting for a node assignment. Call: createTopics",
        new TimeoutException("Timed out waiting for a node assignment. Call: createTopics"));
    RuntimeException e = CoordinatorService.explain(raw, Optional.of("kafka-1:9092"));
    assertEquals(ErrorCode.UNAVAILABLE, ((GoWorkException) e).code());
    assertTrue(e.getMessage().startsWith("Kafka at kafka-1:9092 (GOWORK_BOOTSTRAP_SERVERS) did not answer"),
        e.getMessage());
    assertTrue(e.getMessage().contains("Call: createTopics"), e.getMessage());
    assertSame(raw, e.getCause());
  }

  @Test
  void anAdminCallThatRanOutOfTimeIsNamedWithTheSettingToo() {
    // Seen with two coordinators started on a GOWORK_BOOTSTRAP_SERVERS where nothing listened: one said
    // "did not answer", the other only "Creating topic 'gowork.state' did not finish within 60 s".
    GoWorkException raw = new GoWorkException(ErrorCode.UNAVAILABLE, "could not create the results ... topics: "
        + "Creating topic 'gowork.state' did not finish within 60 s", new org.apache.kafka.common.KafkaException(
            "Creating topic 'gowork.state' did not finish within 60 s", new java.util.concurrent.TimeoutException()));
    RuntimeException e = CoordinatorService.explain(raw, Optional.of("127.0.0.1:19463"));
    assertTrue(e.getMessage().startsWith("Kafka at 127.0.0.1:19463 (GOWORK_BOOTSTRAP_SERVERS) did not answer"),
        e.getMessage());
    assertTrue(e.getMessage().contains("did not finish within 60 s"), e.getMessage());
    assertSame(raw, e.getCause());
  }

  @Test
  void otherFailuresAndTheEmbeddedBrokerKeepTheirOwnMessage() {
    GoWorkException taken = new GoWorkException(ErrorCode.UNAVAILABLE, "cannot listen on 127.0.0.1:8080");
    assertSame(taken, CoordinatorService.explain(taken, Optional.of("kafka-1:9092")));
    GoWorkException timedOut = new GoWorkException(ErrorCode.UNAVAILABLE, "x", new TimeoutException("y"));
    assertSame(timedOut, CoordinatorService.explain(timedOut, Optional.empty()));
  }
}
