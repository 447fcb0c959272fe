/** Work topics: provisioning, publishing, re-reading published work and taking work for HTTP workers. */
package dev.gowork.coordinator.queue;
