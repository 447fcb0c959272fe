package dev.gowork.broker.wire;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The text of an {@link Instant} on the wire, without {@link java.time.format.DateTimeFormatter} on the
 * common path. {@link #format} gives {@link Instant#toString()} with at least three fraction digits, so
 * whole-millisecond times (all GoWork writes) always have the same width ({@code .000} included: a
 * reader that expects {@code .SSS}, or sorts the text, would trip over {@code 10:00:00Z});
 * {@link #parse} accepts exactly what {@link Instant#parse} accepts and returns the same value. Both handle the canonical UTC form
 * ({@code 2026-11-28T12:14:02.879Z}, years 0000-9999, 0-9 fraction digits) themselves and hand anything
 * else to {@code java.time}.
 */
final class InstantText {
  private static final long SECONDS_PER_DAY = 86_400;
  private static final long MIN_FAST_SECOND = LocalDate.of(0, 1, 1).toEpochDay() * SECONDS_PER_DAY;
  private static final long MAX_FAST_SECOND = (LocalDate.of(9999, 12, 31).toEpochDay() + 1) * SECONDS_PER_DAY - 1;
  private static final int[] SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

  private InstantText() {
  }

  /** The text of {@link Instant#toString()}, with at least three fraction digits. */
  static String format(Instant t) {
    long second = t.getEpochSecond();
    if (second < MIN_FAST_SECOND || second > MAX_FAST_SECOND) {
      String text = t.toString();
      return t.getNano() == 0 ? text.substring(0, text.length() - 1) + ".000Z" : text;
    }
    long day = Math.floorDiv(second, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(second, SECONDS_PER_DAY);
    LocalDate date = LocalDate.ofEpochDay(day);
    int nano = t.getNano();
    int fraction = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
    char[] c = new char[20 + fraction + 1];
    digits(c, 0, date.getYear(), 4);
    c[4] = '-';
    digits(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, date.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, secondOfDay / 3600, 2);
    c[13] = ':';
    digits(c, 14, secondOfDay / 60 % 60, 2);
    c[16] = ':';
    digits(c, 17, secondOfDay % 60, 2);
    c[19] = '.';
    digits(c, 20, nano / SCALE[fraction], fraction);
    c[20 + fraction] = 'Z';
    return new String(c);
  }

  /**
   * The same instant as {@link Instant#parse(CharSequence)}.
   *
   * @throws DateTimeParseException when {@code Instant.parse} would
   */
  static Instant parse(String s) {
    Instant fast = parseCanonical(s);
    return fast != null ? fast : Instant.parse(s);
  }

  /** The instant for {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with in-range fields, else null. */
  static Instant parseCanonical(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
        || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = number(s, 0, 4);
    int month = number(s, 5, 7);
    int day = number(s, 8, 10);
    int hour = number(s, 11, 13);
    int minute = number(s, 14, 16);
    int second = number(s, 17, 19);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int nano = 0;
    if (n > 20) {
      int digits = n - 21;
      if (s.charAt(19) != '.' || digits < 1) {
        return null;
      }
      int fraction = number(s, 20, n - 1);
      if (fraction < 0) {
        return null;
      }
      nano = fraction * SCALE[digits];
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nano);
  }

  /** The decimal number in {@code s[from, to)} (at most 9 digits), or -1 if a character is not a digit. */
  private static int number(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
