package dev.gowork.broker;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * A failed connection in words, for the messages of every HTTP client of the coordinator (the gowork
 * command, the worker's handshake): the JDK's HTTP client reports an unknown host, a refused
 * connection and an unreachable network all as a {@link ConnectException}, often with no message of
 * its own.
 */
public final class ConnectFailures {
  private ConnectFailures() {}

  /** True when the host name did not resolve. */
  public static boolean unresolved(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  /**
   * What happened: "unknown host 'h'", "connection refused", or "could not connect (the system's
   * reason, e.g. No route to host)".
   */
  public static String describe(ConnectException e, String host) {
    if (unresolved(e)) {
      return "unknown host '" + host + "'";
    }
    String reason = null;
    for (Throwable t = e; t != null && reason == null; t = t.getCause() == t ? null : t.getCause()) {
      reason = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
    }
    if (reason == null || reason.toLowerCase(Locale.ROOT).contains("refused")) {
      return "connection refused";
    }
    return "could not connect (" + reason + ")";
  }
}
