package dev.gowork.broker.signing;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;

/**
 * The secret shared by the coordinator and its workers: at least {@value #MIN_LENGTH} characters,
 * from an environment variable or a file, never a command-line argument. {@link #toString()} masks it.
 */
public final class SharedSecret {
  /** Shortest accepted secret, in characters (the seed demanded exactly 32). */
  public static final int MIN_LENGTH = 32;
  /** Longest accepted secret, in characters. */
  public static final int MAX_LENGTH = 4096;
  public static final String ENV = "GOWORK_SECRET";
  public static final String ENV_FILE = "GOWORK_SECRET_FILE";

  private final byte[] utf8;

  private SharedSecret(byte[] utf8) {
    this.utf8 = utf8;
  }

  /**
   * @throws GoWorkException INVALID_ARGUMENT when shorter than 32 or longer than 4096 characters
   */
  public static SharedSecret of(String secret) {
    if (secret == null || secret.length() < MIN_LENGTH) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the shared secret must be at least " + MIN_LENGTH
          + " characters long; it has " + (secret == null ? 0 : secret.length()));
    }
    if (secret.length() > MAX_LENGTH) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          "the shared secret must be at most " + MAX_LENGTH + " characters long");
    }
    return new SharedSecret(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads {@code GOWORK_SECRET}, or else the file named by {@code GOWORK_SECRET_FILE} (one trailing
   * newline is dropped).
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the variable when neither is set, the file is unreadable or the secret is too short
   */
  public static SharedSecret fromEnv(Map<String, String> env) {
    return of(readValueOrFile(env, ENV, ENV_FILE));
  }

  /**
   * Reads a secret-like setting from {@code name} or the file named by {@code fileName}.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the variables when neither is set or the file is unreadable
   */
  public static String readValueOrFile(Map<String, String> env, String name, String fileName) {
    String value = env.get(name);
    if (value != null && !value.isEmpty()) {
      return value;
    }
    String file = env.get(fileName);
    if (file == null || file.isEmpty()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name + " or " + fileName + " must be set");
    }
    try {
      String s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      if (s.endsWith("\r\n")) {
        s = s.substring(0, s.length() - 2);
      } else if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, fileName + " names a file that cannot be read: " + file);
    }
  }

  /** The secret's UTF-8 bytes (a copy), the HMAC key of the verify response. */
  public byte[] utf8() {
    return utf8.clone();
  }

  byte[] key() {
    return utf8;
  }

  /** Constant-time comparison with another secret. */
  public boolean sameAs(SharedSecret other) {
    return other != null && MessageDigest.isEqual(utf8, other.utf8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SharedSecret s && sameAs(s);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(utf8);
  }

  @Override
  public String toString() {
    return "SharedSecret[****]";
  }
}
