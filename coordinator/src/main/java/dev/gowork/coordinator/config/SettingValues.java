package dev.gowork.coordinator.config;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Looks a setting up in order (flag, env var, default) and checks it; every error names the setting
 * by where its value came from, and quotes the bad value (unless it may be another option or a secret).
 */
final class SettingValues {
  private final Map<Setting, String> flags;
  private final Map<String, String> env;

  SettingValues(Map<Setting, String> flags, Map<String, String> env) {
    this.flags = new EnumMap<>(Setting.class);
    this.flags.putAll(flags);
    this.env = env;
  }

  /** The value, or {@code null} when neither given nor defaulted. Blank env vars count as unset. */
  String text(Setting s) {
    String v = flags.get(s);
    if (v != null) {
      return v.strip();
    }
    v = env.get(s.env);
    if (v != null && !v.isBlank()) {
      return v.strip();
    }
    return s.defaultValue;
  }

  boolean given(Setting s) {
    return flags.containsKey(s) || (env.get(s.env) != null && !env.get(s.env).isBlank());
  }

  long number(Setting s, long min, long max) {
    String v = text(s);
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw invalid(s, "must be an integer from " + min + " to " + max);
    }
    if (n < min || n > max) {
      throw invalid(s, "must be from " + min + " to " + max);
    }
    return n;
  }

  int integer(Setting s, int min, int max) {
    return (int) number(s, min, max);
  }

  /**
   * An error naming the setting as the user gave it (flag or env var) and its value, unless that may be another
   * option or a secret ({@link ErrorLines#quoted}).
   */
  GoWorkException invalid(Setting s, String problem) {
    return new GoWorkException(ErrorCode.INVALID_ARGUMENT, name(s) + " " + problem + ", was "
        + ErrorLines.quoted(s.flag, text(s)));
  }

  String name(Setting s) {
    return flags.containsKey(s) ? s.flag + " (" + s.env + ")" : s.env + " (" + s.flag + ")";
  }
}
