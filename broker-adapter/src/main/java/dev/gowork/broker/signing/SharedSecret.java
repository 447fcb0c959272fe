package dev.gowork.broker.signing;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.ErrorLines;
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

  /** Largest file a secret-like setting is read from. */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  /**
   * Reads a secret-like setting from {@code name} or the file named by {@code fileName} (one of them:
   * with both set, which one was meant is not known, so neither is taken).
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the variables when neither or both are set, or the
   *     file is unreadable or larger than {@value #MAX_FILE_BYTES} bytes
   */
  public static String readValueOrFile(Map<String, String> env, String name, String fileName) {
    String value = env.get(name);
    String file = env.get(fileName);
    boolean hasValue = value != null && !value.isEmpty();
    boolean hasFile = file != null && !file.isEmpty();
    if (hasValue && hasFile) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name + " and " + fileName + " are both set; set one");
    }
    if (hasValue) {
      return value;
    }
    if (!hasFile) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name + " or " + fileName + " must be set");
    }
    try {
      Path path = Path.of(file);
      if (Files.size(path) > MAX_FILE_BYTES) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, fileName + " names a file over "
            + MAX_FILE_BYTES / 1024 + " KiB: " + ErrorLines.quoted(fileName, file));
      }
      String s = Files.readString(path, StandardCharsets.UTF_8);
      if (s.endsWith("\r\n")) {
        s = s.substring(0, s.length() - 2);
      } else if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1);
      }
      return s;
    } catch (GoWorkException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, fileName + " names a file that cannot be read: "
          + ErrorLines.quoted(fileName, file));
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
