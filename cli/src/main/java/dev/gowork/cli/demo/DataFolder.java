package dev.gowork.cli.demo;

import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The folder of a command that runs an embedded broker and child processes ({@code --data-dir}), and
 * file errors in words that do not repeat the path the message already names (the JDK's
 * {@link FileSystemException} messages start with it).
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
      throw CliException.usage(given == null ? "cannot create a temp folder: " + why(e, null)
          : "--data-dir: cannot create " + given + ": " + why(e, given));
    }
  }

  /**
   * Why {@code e} happened, for a message that names {@code path} already: e.g. "permission denied", "it
   * is a file, not a folder", or "/a is a file, not a folder" when a file further up is the cause.
   */
  public static String why(IOException e, Path path) {
    if (!(e instanceof FileSystemException f)) {
      return String.valueOf(e.getMessage());
    }
    Path blocking = path == null ? null : fileInTheWay(path);
    if (blocking != null) {
      return (samePath(blocking, path) ? "it" : blocking) + " is a file, not a folder";
    }
    String reason = f.getReason() != null ? f.getReason()
        : e instanceof FileAlreadyExistsException ? "a file of that name is in the way"
        : e instanceof AccessDeniedException ? "permission denied"
        : e instanceof NoSuchFileException ? "no such file or folder"
        : e.getClass().getSimpleName();
    boolean same = f.getFile() == null || path != null && samePath(Path.of(f.getFile()), path);
    return same ? reason : f.getFile() + ": " + reason;
  }

  /** {@code path} or the nearest of its parents that exists, when that one is not a folder; else null. */
  private static Path fileInTheWay(Path path) {
    for (Path p = path.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        return Files.isDirectory(p) ? null : p;
      }
    }
    return null;
  }

  private static boolean samePath(Path a, Path b) {
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }
}
