package dev.gowork.broker.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data folder that cannot be made is named once, with what is wrong with it. */
class DataFolderLockTest {
  @TempDir Path dir;

  @Test
  void aFileInTheFoldersPlaceIsNamedOnceAsAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("data"), "");
    KafkaException e = assertThrows(KafkaException.class, () -> DataFolderLock.acquire(file.resolve("kafka"), file));
    assertEquals("cannot create the data folder " + file + ": it is a file, not a folder", e.getMessage());
  }

  @Test
  void aFileFurtherUpIsNamedAsTheCause() throws Exception {
    Path file = Files.writeString(dir.resolve("data"), "");
    Path below = file.resolve("sub");
    KafkaException e = assertThrows(KafkaException.class, () -> DataFolderLock.acquire(below.resolve("kafka"), below));
    assertEquals("cannot create the data folder " + below + ": " + file + " is a file, not a folder", e.getMessage());
  }
}
