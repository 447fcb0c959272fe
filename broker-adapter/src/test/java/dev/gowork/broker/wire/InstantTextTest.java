package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstantTextTest {
  private final RandomWire gen = new RandomWire(7L);

  @Test
  void formatsAndParsesRandomInstantsLikeJavaTime() {
    for (int i = 0; i < 20_000; i++) {
      Instant t = gen.instant();
      String text = t.toString();
      assertEquals(TreeModelWireCodec.wireText(t), InstantText.format(t));
      assertEquals(Instant.parse(text), InstantText.parse(text), text);
    }
  }

  @Test
  void handlesEdgeDatesLeapYearsAndEveryFractionLength() {
    List<String> dates = List.of("0000-01-01T00:00:00", "0000-02-29T23:59:59", "1600-02-29T12:00:00",
        "1900-02-28T00:00:00", "1969-12-31T23:59:59", "1970-01-01T00:00:00", "2000-02-29T00:00:00",
        "2024-02-29T08:30:00", "2026-11-28T12:14:02", "2100-02-28T23:59:59", "9999-12-31T23:59:59");
    for (String date : dates) {
      for (String fraction : List.of("", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567",
          ".12345678", ".123456789", ".000", ".000000", ".000000000", ".100", ".000001", ".999999999")) {
        String text = date + fraction + "Z";
        Instant expected = Instant.parse(text);
        assertNotNull(InstantText.parseCanonical(text), text);
        assertEquals(expected, InstantText.parse(text), text);
        assertEquals(TreeModelWireCodec.wireText(expected), InstantText.format(expected), text);
      }
    }
    for (Instant t : List.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.ofEpochSecond(-62_167_219_201L),
        Instant.ofEpochSecond(253_402_300_800L), Instant.ofEpochSecond(-1, 999_999_999))) {
      assertEquals(TreeModelWireCodec.wireText(t), InstantText.format(t));
      assertEquals(t, InstantText.parse(t.toString()));
      assertEquals(t, InstantText.parse(InstantText.format(t)));
    }
  }

  @Test
  void wholeSecondsKeepThreeFractionDigitsSoEveryTimeHasTheSameWidth() {
    assertEquals("2026-11-29T14:01:27.000Z", InstantText.format(Instant.parse("2026-11-29T14:01:27Z")));
    assertEquals("2026-11-29T14:01:27.100Z", InstantText.format(Instant.parse("2026-11-29T14:01:27.1Z")));
  }

  @Test
  void leavesOtherFormsToJavaTimeWithTheSameAnswer() {
    for (String text : List.of("2026-11-28T12:14:02.879+01:00", "2026-11-28t12:14:02z", "2026-11-28T24:00:00Z",
        "2026-06-30T23:59:60Z", "+12026-11-28T12:14:02Z", "-0001-01-01T00:00:00Z", "2026-11-28T12:14Z")) {
      assertNull(InstantText.parseCanonical(text), text);
      assertSameAsJavaTime(text);
    }
  }

  @Test
  void refusesWhatJavaTimeRefuses() {
    for (String text : List.of("", "yesterday", "2026-11-28", "2026-11-28T12:14:02", "2026-02-29T00:00:00Z",
        "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-04-31T00:00:00Z", "2025-01-01T25:00:00Z",
        "2025-01-01T00:60:00Z", "2025-01-01T00:00:61Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00.1234567890Z",
        "2025-01-01T00:00:00,5Z", "2025-01-01 00:00:00Z", "2025-1-01T00:00:00Z", "2025-01-01T00:00:0aZ",
        "2025-01-01T00:00:00.-1Z", "2025-01-01T00:00:00.1 Z", "２０２５-01-01T00:00:00Z")) {
      assertSameAsJavaTime(text);
    }
    assertThrows(DateTimeParseException.class, () -> InstantText.parse("2026-02-29T00:00:00Z"));
  }

  private static void assertSameAsJavaTime(String text) {
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeParseException e) {
      assertThrows(DateTimeParseException.class, () -> InstantText.parse(text), text);
      return;
    }
    assertEquals(expected, InstantText.parse(text), text);
  }
}
