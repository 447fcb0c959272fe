/** Retries of failed attempts: backoff with jitter, the plan of due retries and their republication. */
package dev.gowork.coordinator.retry;
