package dev.gowork.coordinator.http;

/** Who may call a route. */
enum Access {
  /** Anyone: registration, the handshake, probes and metrics. */
  PUBLIC,
  /** Producers and operators: {@code Authorization: Bearer <GOWORK_API_TOKEN>}. */
  PRODUCER,
  /** A verified worker: {@code X-Gowork-Worker-Id} and {@code Authorization: Bearer <sessionKey>}. */
  WORKER
}
