package dev.gowork.coordinator.config;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import java.util.Map;

/** Reads the two secrets from the environment (a value, else a file); errors name the variable, never the value. */
final class Secrets {
  private static final int MAX_API_TOKEN_LENGTH = 4096;

  private Secrets() {}

  static SharedSecret sharedSecret(Map<String, String> env) {
    String value = SharedSecret.readValueOrFile(env, SharedSecret.ENV, SharedSecret.ENV_FILE);
    try {
      return SharedSecret.of(value);
    } catch (GoWorkException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          source(env, SharedSecret.ENV, SharedSecret.ENV_FILE) + ": " + e.getMessage());
    }
  }

  static String apiToken(Map<String, String> env) {
    String token = SharedSecret.readValueOrFile(env, CoordinatorSettings.API_TOKEN, CoordinatorSettings.API_TOKEN_FILE);
    String name = source(env, CoordinatorSettings.API_TOKEN, CoordinatorSettings.API_TOKEN_FILE);
    if (token.length() < CoordinatorSettings.MIN_API_TOKEN_LENGTH || token.length() > MAX_API_TOKEN_LENGTH) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name + ": the API token must be "
          + CoordinatorSettings.MIN_API_TOKEN_LENGTH + "-" + MAX_API_TOKEN_LENGTH + " characters long; it has "
          + token.length());
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name
            + ": the API token may hold only visible ASCII characters (no spaces), as an HTTP header carries it");
      }
    }
    return token;
  }

  private static String source(Map<String, String> env, String name, String fileName) {
    String v = env.get(name);
    return v != null && !v.isEmpty() ? name : fileName;
  }
}
