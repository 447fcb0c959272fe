/**
 * The coordinator's HTTP API: {@link dev.gowork.coordinator.http.HttpService} on the JDK's HTTP
 * server, one thin handler per route over {@link dev.gowork.coordinator.WorkServer}, JSON errors
 * {@code {"error", "code"}}, producer (API token) and worker (session key) authentication, and the
 * health, readiness and metrics probes.
 */
package dev.gowork.coordinator.http;
