package dev.gowork.coordinator;

import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.auth.WorkerSummary;
import dev.gowork.coordinator.auth.Workers;
import java.util.List;

/**
 * The workers as {@link WorkServer#workers()} shows them: {@code verify} and {@code revoke}, which change
 * sessions and wait for their commit, go through the server's {@link ChangeGate}, so that neither is
 * left half done (changed here, refused by Kafka) by a close.
 */
final class GatedWorkers implements Workers {
  private final Workers workers;
  private final ChangeGate gate;

  GatedWorkers(Workers workers, ChangeGate gate) {
    this.workers = workers;
    this.gate = gate;
  }

  @Override
  public Registration register(String name) {
    return workers.register(name);
  }

  @Override
  public Session verify(String workerId, String response) {
    return gate.run(() -> workers.verify(workerId, response));
  }

  @Override
  public void revoke(String workerId) {
    gate.run(() -> workers.revoke(workerId));
  }

  @Override
  public boolean authenticate(String workerId, String sessionKey) {
    return workers.authenticate(workerId, sessionKey);
  }

  @Override
  public List<WorkerSummary> list() {
    return workers.list();
  }
}
