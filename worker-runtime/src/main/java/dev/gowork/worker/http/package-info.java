/**
 * A replica's own HTTP endpoint, off by default: {@code /healthz} and {@code /readyz} for probes,
 * {@code /metrics} in the Prometheus text format. It serves nothing else and takes no input.
 */
package dev.gowork.worker.http;
