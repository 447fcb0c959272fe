package dev.gowork.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * User code that runs one work item. Implementations must be thread-safe: the runtime calls one
 * instance from several threads at once (up to {@code GOWORK_CONCURRENCY}).
 *
 * <pre>{@code
 * public final class Resize implements WorkHandler {
 *   public JsonNode handle(JsonNode data, WorkContext ctx) throws Exception {
 *     ...                                   // check ctx.isCancelled() in long loops
 *     return JsonNodeFactory.instance.objectNode().put("ok", true);
 *   }
 * }
 * }</pre>
 *
 * <p>Returning reports the work {@code completed} with the returned value ({@code null} allowed);
 * throwing reports it {@code failed} with the exception's message. Work still running at its deadline
 * is asked to stop through {@link WorkContext#cancellation()}, then interrupted, and reported
 * {@code timed_out}. A class named in {@code GOWORK_HANDLER} needs a public no-argument constructor.
 */
@FunctionalInterface
public interface WorkHandler {
  /**
   * Runs one work item.
   *
   * @param data the work's data as the producer sent it
   * @param ctx the work's identity, deadline and cancellation signal
   * @return the result, any JSON value or {@code null}
   * @throws Exception to report the work failed; the message becomes the result's error
   */
  JsonNode handle(JsonNode data, WorkContext ctx) throws Exception;
}
