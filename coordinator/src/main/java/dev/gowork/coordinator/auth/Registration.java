package dev.gowork.coordinator.auth;

/**
 * A new worker's id and the challenge it must answer with
 * {@code base64(HMAC-SHA256(secret, "gowork-verify:" + workerId + ":" + challenge))}.
 */
public record Registration(String workerId, String challenge) {}
