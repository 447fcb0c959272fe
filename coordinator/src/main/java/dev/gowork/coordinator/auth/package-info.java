/** Worker registration, the challenge-response handshake, sessions and their rate limits. */
package dev.gowork.coordinator.auth;
