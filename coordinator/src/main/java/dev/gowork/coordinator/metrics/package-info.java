/** Prometheus metrics of the coordinator service (Micrometer), fed by the work server's events. */
package dev.gowork.coordinator.metrics;
