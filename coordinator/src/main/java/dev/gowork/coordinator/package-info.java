/**
 * The GoWork coordinator library: {@link dev.gowork.coordinator.WorkServer} (built by
 * {@link dev.gowork.coordinator.WorkServerBuilder}) and {@link dev.gowork.coordinator.Work}.
 *
 * <p>Sub-packages hold one concept each: {@code auth} (workers, challenges, sessions),
 * {@code work} (state and the lifecycle table), {@code results} (the results consumer and its
 * checks), {@code timeout} (deadlines), {@code retry} (backoff and republication), {@code queue}
 * (work topics, publishing, the coordinator's own share consumers) and {@code events} (handlers,
 * listeners and the events topic). Their public classes other than {@code Workers},
 * {@code Registration}, {@code Session}, {@code WorkerSummary}, {@code WorkerState},
 * {@code AuthSettings}, {@code WorkState}, {@code WorkStatus} and {@code EventHandler} are wiring for
 * {@code WorkServer}, not API.
 */
package dev.gowork.coordinator;
