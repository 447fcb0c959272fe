package dev.gowork.cli.demo;

import dev.gowork.broker.FileErrors;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder of a command that runs an embedded broker and child processes ({@code --data-dir}), and
 * file errors in words that do not repeat the path the message already names (the JDK's
 * {@link java.nio.file.FileSystemException} messages start with it; {@link FileErrors#why}).
 */
public final class DataFolder {
  private DataFolder() {}

  /**
   * {@code given} (created when missing), or a fresh temporary folder named {@code tempPrefix...}; absolute.
   *
   * @throws CliException usage (naming {@code --data-dir}) when it cannot be created
   */
  public static Path create(Path given, String tempPrefix) {
    try {
      if (given == null) {
        return Files.createTempDirectory(tempPrefix).toAbsolutePath();
      }
      return Files.createDirectories(given).toAbsolutePath();
    } catch (IOException e) {
      throw CliException.usage(given == null ? "cannot create a temp folder: " + FileErrors.why(e, null)
          : "--data-dir: cannot create " + given + ": " + FileErrors.why(e, given));
    }
  }
}
