package dev.gowork.broker;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * File errors in words that do not repeat the path the message already names (the JDK's
 * {@link FileSystemException} messages start with it, and some carry no reason at all).
 */
public final class FileErrors {
  private FileErrors() {}

  /**
   * Why {@code e} happened, for a message that names {@code path} already: e.g. "permission denied", "it
   * is a file, not a folder", or "/a is a file, not a folder" when a file further up is the cause.
   *
   * @param path the path the message names, or null
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
