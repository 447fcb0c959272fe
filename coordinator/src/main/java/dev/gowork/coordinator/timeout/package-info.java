/** Deadlines: a heap of work ids by deadline and the {@code ExpireTimedOutWork} duty. */
package dev.gowork.coordinator.timeout;
