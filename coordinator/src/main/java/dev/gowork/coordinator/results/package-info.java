/** Consuming {@code <p>.results}: decoding, authentication, replay and state checks, then the work table. */
package dev.gowork.coordinator.results;
