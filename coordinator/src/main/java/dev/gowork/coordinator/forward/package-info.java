/**
 * Requests one coordinator forwards to the coordinator that owns an item or a worker (cancel,
 * requeue, delete a dead letter, revoke), so that with several coordinators any of them answers
 * them: a signed record on {@code <p>.results}, keyed as the item's results are, read by their owner.
 */
package dev.gowork.coordinator.forward;
