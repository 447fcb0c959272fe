package dev.gowork.worker.runtime;

/**
 * A snapshot of what a {@link WorkerRuntime} has done, for tests and metrics. Results count once
 * their record is durably written to the results topic.
 *
 * @param processed results written with status {@code completed}
 * @param failed results written with status {@code failed} (the handler threw)
 * @param timedOut results written with status {@code timed_out} (expired on arrival or overran)
 * @param rejected undecodable records rejected (to the broker's dead-letter topic when configured)
 * @param released records handed back undone (shutdown, or a result that could not be written)
 * @param inFlight records this replica holds right now
 * @param cancelled records not run, or stopped, because the work was cancelled (no result written)
 * @param duplicates deliveries of records whose outcome this replica had decided already, acknowledged
 *     without running (a copy delivered again after its lock ran out, or after a late acknowledgement)
 */
public record Counters(long processed, long failed, long timedOut, long rejected, long released, int inFlight,
    long cancelled, long duplicates) {}
