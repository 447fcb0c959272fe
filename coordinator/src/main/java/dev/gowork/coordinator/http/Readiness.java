package dev.gowork.coordinator.http;

import java.util.Optional;

/** Whether the service can do its work; {@code GET /readyz} answers 200 only when it can. */
@FunctionalInterface
public interface Readiness {
  /** Empty when ready; else what is wrong, in words fit for an operator. */
  Optional<String> problem();
}
