package dev.gowork.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
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
}
