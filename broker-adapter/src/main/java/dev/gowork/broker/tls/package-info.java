/** TLS for the clients of the coordinator's HTTP API: which certificates they trust. */
package dev.gowork.broker.tls;
