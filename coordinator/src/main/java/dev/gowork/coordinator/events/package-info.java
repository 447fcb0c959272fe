/** Events: firing, the events topic, in-process handlers with the server's params, and listeners. */
package dev.gowork.coordinator.events;
