package dev.gowork.broker.signing;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Names of the Kafka record headers that authenticate a result, and small readers for them. */
public final class ResultHeaders {
  /** The worker that produced the result. */
  public static final String WORKER_ID = "gowork-worker-id";
  /** Epoch milliseconds, as a decimal string; the same string is signed. */
  public static final String TIMESTAMP = "gowork-timestamp";
  /** base64 HMAC-SHA256 under the session key (see {@link Signatures#signResult}). */
  public static final String SIGNATURE = "gowork-signature";

  private ResultHeaders() {}

  /** Adds the three headers. */
  public static void write(Headers headers, String workerId, long timestampMillis, String signature) {
    headers.add(WORKER_ID, workerId.getBytes(StandardCharsets.UTF_8));
    headers.add(TIMESTAMP, Long.toString(timestampMillis).getBytes(StandardCharsets.UTF_8));
    headers.add(SIGNATURE, signature.getBytes(StandardCharsets.UTF_8));
  }

  /** The last value of a header as UTF-8, or {@code null} when absent. */
  public static String read(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
