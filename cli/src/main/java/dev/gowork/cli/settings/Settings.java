package dev.gowork.cli.settings;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves each setting from its flag, then its {@code GOWORK_*} environment variable, then its
 * default, and validates it. Every error names the flag or variable the bad value came from, and
 * the value unless it may be another option or a secret ({@link ErrorLines#quoted}), and is a
 * {@link CliException#usage usage} error (exit code 2).
 *
 * <pre>{@code
 * Settings s = context.settings();
 * int n = s.integer("--timeout", timeoutFlag, "GOWORK_TIMEOUT", 60, 1, 86_400);
 * }</pre>
 */
public final class Settings {
  /** Longest string setting accepted (URLs, names, paths). */
  public static final int MAX_LENGTH = 4096;

  private final Map<String, String> env;

  public Settings(Map<String, String> env) {
    this.env = Objects.requireNonNull(env, "env");
  }

  /** The value of an environment variable, {@code null} when unset or blank. */
  public String env(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * A text setting.
   *
   * @param envName the environment variable, or {@code null} when the setting has none
   * @throws CliException usage when longer than {@link #MAX_LENGTH}
   */
  public String string(String flag, String flagValue, String envName, String defaultValue) {
    Source s = pick(flag, flagValue, envName);
    if (s == null) {
      return defaultValue;
    }
    if (s.value.length() > MAX_LENGTH) {
      throw CliException.usage(s.name + " is longer than " + MAX_LENGTH + " characters");
    }
    return s.value;
  }

  /**
   * An integer setting within [min, max].
   *
   * @throws CliException usage naming the flag or variable when not an integer or out of range
   */
  public int integer(String flag, Integer flagValue, String envName, int defaultValue, int min, int max) {
    Source s = pick(flag, flagValue == null ? null : flagValue.toString(), envName);
    if (s == null) {
      return defaultValue;
    }
    int v;
    try {
      v = Integer.parseInt(s.value);
    } catch (NumberFormatException e) {
      throw CliException.usage(s.name + " must be an integer between " + min + " and " + max + "; was "
          + ErrorLines.quoted(s.name, s.value));
    }
    if (v < min || v > max) {
      throw CliException.usage(s.name + " must be between " + min + " and " + max + "; was " + v);
    }
    return v;
  }

  /**
   * An http or https URL with a host; a trailing slash is dropped.
   *
   * @throws CliException usage naming the flag or variable when malformed
   */
  public URI httpUrl(String flag, String flagValue, String envName, String defaultValue) {
    Source s = pick(flag, flagValue, envName);
    String name = s == null ? "the default of " + flag : s.name;
    String text = s == null ? defaultValue : s.value;
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw notAUrl(name, text);
      }
      return uri;
    } catch (URISyntaxException e) {
      // e.g. '127.0.0.1:8080', which has no scheme: say what it takes rather than the parser's complaint.
      throw notAUrl(name, text);
    }
  }

  private static CliException notAUrl(String name, String text) {
    return CliException.usage(name + " must be an http:// or https:// URL with a host; was "
        + ErrorLines.quoted(name, text));
  }

  /**
   * A queue name, checked by {@link Topics#validateQueue}.
   *
   * @return the queue, or {@code defaultValue} (may be {@code null}) when neither flag nor variable is set
   * @throws CliException usage naming the flag or variable when invalid
   */
  public String queue(String flag, String flagValue, String envName, String defaultValue) {
    Source s = pick(flag, flagValue, envName);
    if (s == null) {
      return defaultValue;
    }
    try {
      return Topics.validateQueue(s.value);
    } catch (GoWorkException e) {
      throw CliException.usage(s.name + ": " + (ErrorLines.mayQuote(s.name, s.value) ? e.getMessage()
          : "queue name " + ErrorLines.quoted(s.name, s.value) + " is invalid: use 1-" + Topics.MAX_QUEUE_LENGTH
          + " characters of A-Z a-z 0-9 _ -"));
    }
  }

  /**
   * The topic prefix {@code <p>}, checked by {@link Topics}.
   *
   * @throws CliException usage naming the flag or variable when invalid
   */
  public Topics topics(String flag, String flagValue, String envName) {
    Source s = pick(flag, flagValue, envName);
    if (s == null) {
      return Topics.of(Topics.DEFAULT_PREFIX);
    }
    try {
      return Topics.of(s.value);
    } catch (GoWorkException e) {
      throw CliException.usage(s.name + ": " + (ErrorLines.mayQuote(s.name, s.value) ? e.getMessage()
          : "topic prefix " + ErrorLines.quoted(s.name, s.value)
          + " is invalid: use 1-100 characters of A-Z a-z 0-9 _ - separated by single dots"));
    }
  }

  /**
   * A secret-like setting from {@code envName}, else from the file named by {@code fileEnvName}
   * (one trailing newline dropped). Never from a flag, so it does not show in process listings.
   *
   * @return the value, or {@code null} when neither variable is set
   * @throws CliException usage naming the variables when both are set, or the file cannot be read or is empty
   */
  public String secret(String envName, String fileEnvName) {
    String v = env.get(envName);
    String file = env(fileEnvName);
    if (v != null && !v.isEmpty()) {
      if (file != null) {
        throw CliException.usage(envName + " and " + fileEnvName + " are both set; set one");
      }
      return v;
    }
    if (file == null) {
      return null;
    }
    try {
      Path p = Path.of(file);
      if (Files.size(p) > 64 * 1024) {
        throw CliException.usage(fileEnvName + " names a file over 64 KiB: " + ErrorLines.quoted(fileEnvName, file));
      }
      String s = Files.readString(p).replaceFirst("\r?\n$", "");
      if (s.isEmpty()) {
        throw CliException.usage(fileEnvName + " names an empty file: " + ErrorLines.quoted(fileEnvName, file));
      }
      return s;
    } catch (IOException | InvalidPathException e) {
      throw CliException.usage(fileEnvName + " names a file that cannot be read: "
          + ErrorLines.quoted(fileEnvName, file));
    }
  }

  private Source pick(String flag, String flagValue, String envName) {
    if (flagValue != null) {
      return new Source(flag, flagValue);
    }
    if (envName != null) {
      String v = env(envName);
      if (v != null) {
        return new Source(envName, v);
      }
    }
    return null;
  }

  private record Source(String name, String value) {}
}
