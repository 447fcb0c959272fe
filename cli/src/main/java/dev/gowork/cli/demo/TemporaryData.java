package dev.gowork.cli.demo;

import dev.gowork.broker.FileErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Cleans up after a command that ran an embedded broker in a temporary folder: when the command
 * ends, also on Ctrl-C, the broker's data ({@code <folder>/kafka}) is deleted, logs and reports stay,
 * and the folder goes too when nothing else is left. A folder the user gave ({@code --data-dir}) is
 * left alone. (A long bench writes gigabytes there; left behind, repeated runs fill the disk.)
 */
public final class TemporaryData implements AutoCloseable {
  private final Path folder;
  private final boolean temporary;
  private final Thread onExit;
  private final List<AutoCloseable> stopFirst = new CopyOnWriteArrayList<>();
  private boolean closed;

  private TemporaryData(Path folder, boolean temporary) {
    this.folder = folder;
    this.temporary = temporary;
    this.onExit = new Thread(this::drop, "gowork-drop-temporary-data");
    if (temporary) {
      Runtime.getRuntime().addShutdownHook(onExit);
    }
  }

  /** @param temporary true when the command made {@code folder} itself (no {@code --data-dir}) */
  public static TemporaryData of(Path folder, boolean temporary) {
    return new TemporaryData(folder, temporary);
  }

  /**
   * Has {@code writer} (e.g. a broker process writing into the folder) closed before the data is
   * deleted, also on Ctrl-C, when shutdown hooks would otherwise run side by side.
   */
  public void stopFirst(AutoCloseable writer) {
    stopFirst.add(writer);
  }

  @Override
  public synchronized void close() {
    if (closed || !temporary) {
      return;
    }
    closed = true;
    ShutdownHooks.forget(onExit);
    drop();
  }

  private void drop() {
    for (AutoCloseable writer : stopFirst) {
      try {
        writer.close();
      } catch (Exception e) {
        System.err.println("gowork: could not stop " + writer + " before deleting its data: " + e.getMessage());
      }
    }
    try {
      deleteTree(folder.resolve("kafka"));
      try (Stream<Path> left = Files.list(folder)) {
        if (left.findAny().isEmpty()) {
          Files.deleteIfExists(folder);
        }
      }
    } catch (IOException e) {
      System.err.println("gowork: could not delete the temporary broker data in " + folder + ": "
          + FileErrors.why(e, folder));
    } catch (UncheckedIOException e) {
      System.err.println("gowork: could not delete the temporary broker data in " + folder + ": "
          + FileErrors.why(e.getCause(), folder));
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
