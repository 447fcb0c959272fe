package dev.gowork.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorLinesTest {

  @Test
  void aGoWorkExceptionIsItsMessage() {
    assertEquals("queue 'x' is paused",
        ErrorLines.oneLine(new GoWorkException(ErrorCode.CONFLICT, "queue 'x' is paused")));
  }

  @Test
  void causesWithSomethingNewToSayAreAddedOnTheSameLine() {
    IllegalStateException e = new IllegalStateException("Failed to construct kafka producer",
        new RuntimeException("failed to load trust store", new IOException("/etc/gowork/trust.p12\n(No such file)")));
    assertEquals("java.lang.IllegalStateException: Failed to construct kafka producer; caused by: "
        + "java.lang.RuntimeException: failed to load trust store; caused by: java.io.IOException: "
        + "/etc/gowork/trust.p12 (No such file)", ErrorLines.oneLine(e));
  }

  @Test
  void causesThatRepeatTheLineOrSayNothingAreLeftOut() {
    GoWorkException e = new GoWorkException(ErrorCode.UNAVAILABLE, "coordinator: connection refused",
        new ConnectException("Connection refused"));
    e.getCause().initCause(new ConnectException());
    assertEquals("coordinator: connection refused", ErrorLines.oneLine(e));
  }

  @Test
  void unknownArgumentsNameTheOptionsTypedAndTheLikelyOnes() {
    assertEquals("unknown option '--concurency' (did you mean --concurrency?)", unknown(List.of("--concurency", "2"),
        List.of("-c", "--concurrency", "--queue")));
    assertEquals("unknown options '--htp-port', '-x' (did you mean --http-port?)", unknown(List.of("--htp-port=9000", "-x"), List.of("--http-port")));
  }

  @Test
  void unknownArgumentsNeverShowAValueSinceItMayBeASecret() {
    String note = "secrets are read only from the environment or a *_FILE, never from a flag";
    assertEquals("unknown option '--secret'; " + note, unknown(List.of("--secret=TOPSECRET"), List.of("--queue")));
    assertEquals("unknown option '--api-token'; " + note, unknown(List.of("--api-token", "TOPSECRET"), List.of("--queue")));
    assertEquals("an argument not understood (not shown: " + note + ")", unknown(List.of("TOPSECRET"), List.of()));
  }

  @Test
  void aValueGluedToAnUnknownOptionOrThatLooksLikeOneIsNotShown() {
    List<String> known = List.of("-q", "--queue", "--url", "--http-port");
    String note = "secrets are read only from the environment or a *_FILE, never from a flag";
    assertEquals("unknown option '-s'", unknown(List.of("-sTOPSECRET"), known), "a short option's glued value");
    assertEquals("unknown option '--api-token'; " + note, unknown(List.of("--api-token", "-TOPSECRET"), known),
        "a value that starts with a dash, after a mistyped flag");
    assertEquals("unknown option '-t'", unknown(List.of("-t", "--TOPSECRET"), known));
    assertEquals("unknown option '--secret'; " + note, unknown(List.of("--secret:TOPSECRET"), known));
    assertEquals("unknown option '--api-token'; " + note, unknown(List.of("--api-tokenTOPSECRET"), known));
    assertEquals("an argument not understood (not shown: " + note + ")",
        unknown(List.of("--urlTOPSECRET0123456789abcdefghijklmnopqrstuvwxyz"), known), "a value glued to a long option");
    assertEquals("unknown options '--bogus', '-x'", unknown(List.of("--bogus=1", "-x"), known));
  }

  @Test
  void argumentsAfterTheEndOfOptionsAreValuesAndNeverShown() {
    List<String> args = List.of("--queue", "q", "--", "-sTOPSECRET", "--secret=TOPSECRET", "TOPSECRET");
    assertEquals("3 arguments not understood (not shown: secrets are read only from the environment or a *_FILE, "
        + "never from a flag)", ErrorLines.unknownArguments(args, List.of("-sTOPSECRET", "--secret=TOPSECRET",
        "TOPSECRET"), List.of("--queue")));
  }

  @Test
  void aValueRefusedByTheParserIsShownUnlessItMayBeTheNextOptionOrASecret() {
    List<String> known = List.of("-t", "--timeout", "-q", "--queue");
    assertEquals("Invalid value for option '--timeout': 'abc' is not an int", ErrorLines.refusedValue(
        "Invalid value for option '--timeout': 'abc' is not an int", "--timeout", "SECONDS", known));
    assertEquals("option '--timeout' takes SECONDS; was <not shown: it starts with '-', so it may be the next option "
        + "(after a forgotten value) or a secret>", ErrorLines.refusedValue(
        "Invalid value for option '--timeout': '-sTOPSECRET' is not an int", "--timeout", "SECONDS", known));
    assertEquals("Expected parameter for option '--queue' but found '-q'", ErrorLines.refusedValue(
        "Expected parameter for option '--queue' but found '-q'", "--queue", "QUEUE", known),
        "a known option is shown");
    String line = ErrorLines.refusedValue("Expected parameter for option '--queue' but found '-qTOPSECRET'", null, null,
        known);
    assertFalse(line.contains("TOPSECRET"), line);
  }

  @Test
  void aSettingsValueIsQuotedUnlessItMayBeTheNextOptionOrASecret() {
    assertEquals("'abc'", ErrorLines.quoted("--http-port", "abc"));
    assertEquals("'-3'", ErrorLines.quoted("--http-port", "-3"), "a negative number is no option");
    assertEquals("unset", ErrorLines.quoted("--http-port", null));
    assertEquals("<not shown: it starts with '-', so it may be the next option (after a forgotten value) or a secret>",
        ErrorLines.quoted("--http-port", "--api-token=TOPSECRET"));
    assertEquals("<not shown: the setting is a secret's>", ErrorLines.quoted("--secret-file", "TOPSECRET"));
    assertEquals("<not shown: the setting is a secret's>", ErrorLines.quoted("GOWORK_API_TOKEN_FILE", "/run/t"));
  }

  /** The line for {@code unmatched}, typed as the whole command line. */
  private static String unknown(List<String> unmatched, List<String> known) {
    String line = ErrorLines.unknownArguments(unmatched, unmatched, known);
    assertFalse(line.contains("TOPSECRET"), line);
    return line;
  }
}
