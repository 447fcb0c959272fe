/**
 * Work state: {@link dev.gowork.coordinator.work.WorkState}, the one transition table
 * {@link dev.gowork.coordinator.work.Lifecycle}, and {@link dev.gowork.coordinator.work.WorkTable},
 * where every change happens and fires its event once.
 */
package dev.gowork.coordinator.work;
