package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkTest {

  record Job(String url, int depth) {}

  @Test
  void createTurnsDataIntoJsonWithSeedDefaults() {
    Work w = Work.create(new Job("https://example.org", 2), 30);
    assertEquals("default", w.queue());
    assertEquals(1, w.maxAttempts());
    assertEquals(1, w.attempt());
    assertEquals(30, w.timeoutSeconds());
    assertEquals("https://example.org", w.data().get("url").asText());
    assertTrue(w.id().matches("[0-9a-f-]{36}"));
  }

  @Test
  void aWorkIdOfTheCallersIsCheckedAndKept() {
    Work w = Work.create(1, 30).withQueue("q").withId("order:42@shop_1.eu-west");
    assertEquals("order:42@shop_1.eu-west", w.id());
    assertEquals("q", w.queue());
    for (String bad : new String[] {"", "a b", "a/b", "é", "x".repeat(201), ".", ".."}) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> Work.create(1, 30).withId(bad), bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
    assertEquals(200, Work.create(1, 30).withId("x".repeat(200)).id().length());
  }

  @Test
  void dataThatDoesNotSerializeIsRefused() {
    GoWorkException e = assertThrows(GoWorkException.class, () -> Work.create(new Object(), 30));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("does not serialize to JSON"), e.getMessage());
  }

  @Test
  void timeoutMustBeBetweenOneSecondAndSevenDays() {
    Work.create("x", 1);
    Work.create("x", 604_800);
    for (long bad : new long[] {0, -1, 604_801}) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> Work.create("x", bad));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("timeoutSeconds"), e.getMessage());
    }
  }

  @Test
  void queueAndAttemptsAreChecked() {
    Work w = Work.create("x", 5).withQueue("emails").withMaxAttempts(3);
    assertEquals("emails", w.queue());
    assertEquals(3, w.maxAttempts());
    assertThrows(GoWorkException.class, () -> w.withQueue("bad queue"));
    assertThrows(GoWorkException.class, () -> w.withMaxAttempts(0));
    assertThrows(GoWorkException.class, () -> w.withMaxAttempts(101));
  }

  @Test
  void marshalAndUnmarshalRoundTrip() {
    Work w = Work.create(Map.of("n", List.of(1, 2, 3)), 60).withQueue("q").withMaxAttempts(2).withResult("ok");
    Work back = Work.unmarshal(w.marshal());
    assertEquals(w, back);
    assertEquals("ok", back.result().asText());
    assertNull(back.error());
    Work failed = Work.unmarshal(w.withError("boom").marshal());
    assertEquals("boom", failed.error());
  }

  @Test
  void addedWorkMarshalsToAnEnvelopeAWorkerCanProcess() {
    Instant created = Instant.parse("2026-11-29T10:00:00.123Z");
    WorkEnvelope handedOut = new WorkEnvelope("w-1", "q", 2, 3, 60, TextNode.valueOf("x"), created,
        created.plusSeconds(60));
    Work w = Work.from(handedOut);
    assertEquals(Optional.of(created.plusSeconds(60)), w.deadline());
    // Worker.process(String) decodes exactly this way (worker-runtime cannot be a dependency here).
    WorkEnvelope read = WireCodec.defaults().decodeWork(w.marshal().getBytes(StandardCharsets.UTF_8)).orThrow();
    assertEquals(handedOut, read);
    assertEquals(w, Work.unmarshal(w.marshal()));
    assertTrue(Work.create("x", 5).deadline().isEmpty(), "work not added has no deadline yet");
  }

  @Test
  void unmarshalRefusesBadInputWithAClearCode() {
    assertEquals(ErrorCode.MALFORMED, assertThrows(GoWorkException.class, () -> Work.unmarshal("{")).code());
    assertEquals(ErrorCode.MALFORMED, assertThrows(GoWorkException.class, () -> Work.unmarshal("{}")).code());
    assertEquals(ErrorCode.MALFORMED, assertThrows(GoWorkException.class,
        () -> Work.unmarshal("{\"workId\":\"a\",\"timeoutSeconds\":0}")).code());
    assertEquals(ErrorCode.MALFORMED, assertThrows(GoWorkException.class, () -> Work.unmarshal(null)).code());
  }
}
