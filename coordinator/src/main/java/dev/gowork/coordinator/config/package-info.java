/**
 * The coordinator service's settings: {@link dev.gowork.coordinator.config.CoordinatorSettings}, one
 * validated object read from flags, then env vars, then defaults.
 */
package dev.gowork.coordinator.config;
