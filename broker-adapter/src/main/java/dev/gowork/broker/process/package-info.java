/** What the coordinator's and the workers' processes share: stopping cleanly on SIGTERM and SIGINT. */
package dev.gowork.broker.process;
