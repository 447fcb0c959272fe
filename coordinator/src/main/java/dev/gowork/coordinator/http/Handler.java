package dev.gowork.coordinator.http;

/** Answers one matched, authorized request; throws {@link dev.gowork.broker.GoWorkException} for a 4xx/5xx. */
@FunctionalInterface
interface Handler {
  Answer handle(Call call);
}
