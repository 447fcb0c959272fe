package dev.gowork.cli.demo;

import dev.gowork.broker.FileErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-folder errors name the folder once and say what is wrong with it. */
class DataFolderTest {
  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void aFileInThePlaceOfTheFolderIsNamedOnce(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    for (String command : new String[] {"demo", "soak", "bench"}) {
      Console c = new Console(Map.of());
      assertEquals(2, c.run(command, "--data-dir", file.toString()), c.err());
      assertEquals("gowork: --data-dir: cannot create " + file + ": it is a file, not a folder\n", c.err(), command);
    }
  }

  @Test
  void aFileFurtherUpIsNamedAsTheCause(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    Path below = file.resolve("data");
    Console c = new Console(Map.of());
    assertEquals(2, c.run("demo", "--data-dir", below.toString()), c.err());
    assertEquals("gowork: --data-dir: cannot create " + below + ": " + file + " is a file, not a folder\n", c.err());
    assertEquals(1, count(c.err(), below.toString()), c.err());
  }

  @Test
  void aFileSystemErrorIsGivenWithoutThePathItNames(@TempDir Path dir) {
    Path log = dir.resolve("worker-1.log");
    assertEquals("no such file or folder", FileErrors.why(new NoSuchFileException(log.toString()), log));
    Path other = dir.resolve("kafka");
    assertEquals(other + ": no such file or folder", FileErrors.why(new NoSuchFileException(other.toString()), log));
  }
}
