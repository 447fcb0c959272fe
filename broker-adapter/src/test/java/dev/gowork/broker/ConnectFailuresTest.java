package dev.gowork.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ConnectFailuresTest {

  private static ConnectException wrapping(Throwable cause) {
    ConnectException e = new ConnectException();
    e.initCause(cause);
    return e;
  }

  @Test
  void aRefusedConnectionIsSaidSoWhereverItsReasonSits() {
    assertEquals("connection refused", ConnectFailures.describe(new ConnectException("Connection refused"), "h"));
    assertEquals("connection refused",
        ConnectFailures.describe(wrapping(new ConnectException("Connection refused")), "h"));
    assertEquals("connection refused", ConnectFailures.describe(new ConnectException(), "h"));
  }

  @Test
  void anUnreachableNetworkIsNotCalledRefused() {
    assertEquals("could not connect (No route to host)",
        ConnectFailures.describe(wrapping(new ConnectException("No route to host")), "h"));
    assertEquals("could not connect (Network is unreachable)",
        ConnectFailures.describe(new ConnectException("Network is unreachable"), "h"));
  }

  @Test
  void anUnknownHostIsNamed() {
    assertEquals("unknown host 'gowork.invalid'",
        ConnectFailures.describe(wrapping(new UnknownHostException("gowork.invalid")), "gowork.invalid"));
  }
}
