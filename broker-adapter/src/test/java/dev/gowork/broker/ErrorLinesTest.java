package dev.gowork.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    assertEquals("unknown option '--concurency' (did you mean --concurrency?)",
        ErrorLines.unknownArguments(List.of("--concurency", "2"), List.of("-c", "--concurrency", "--queue")));
    assertEquals("unknown options '--htp-port', '-x'", ErrorLines.unknownArguments(List.of("--htp-port=9000", "-x"), List.of()));
  }

  @Test
  void unknownArgumentsNeverShowAValueSinceItMayBeASecret() {
    String flag = ErrorLines.unknownArguments(List.of("--secret=TOPSECRET"), List.of());
    assertEquals("unknown option '--secret'; secrets are read only from the environment or a *_FILE, never from a flag",
        flag);
    String apart = ErrorLines.unknownArguments(List.of("--api-token", "TOPSECRET"), List.of());
    assertEquals("unknown option '--api-token'; secrets are read only from the environment or a *_FILE, never from a flag",
        apart);
    assertEquals("an argument not understood (not shown: secrets are read only from the environment or a *_FILE, never "
        + "from a flag)", ErrorLines.unknownArguments(List.of("TOPSECRET"), List.of()));
  }
}
