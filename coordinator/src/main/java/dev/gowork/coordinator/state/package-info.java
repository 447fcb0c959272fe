/**
 * Durability: the {@link dev.gowork.coordinator.state.Journal} of changes (work state, sessions,
 * events) waiting to be committed, the {@link dev.gowork.coordinator.state.TransactionalWriter}
 * that commits them with the results consumer's offsets in one Kafka transaction, and
 * {@link dev.gowork.coordinator.state.ReadToEnd}, which reads the compacted state topics back at start.
 */
package dev.gowork.coordinator.state;
