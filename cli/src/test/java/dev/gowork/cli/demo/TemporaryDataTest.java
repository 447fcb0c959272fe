package dev.gowork.cli.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporaryDataTest {
  @TempDir
  Path tmp;

  private Path folderWithBrokerData(String name) throws Exception {
    Path folder = Files.createDirectories(tmp.resolve(name));
    Path partition = Files.createDirectories(folder.resolve("kafka").resolve("topic-0"));
    Files.write(partition.resolve("00000000000000000000.log"), new byte[4096]);
    return folder;
  }

  @Test
  void aTemporaryFoldersBrokerDataIsDeletedAndItsLogsStay() throws Exception {
    Path folder = folderWithBrokerData("run");
    Path log = Files.createDirectories(folder.resolve("logs")).resolve("coordinator.log");
    Files.writeString(log, "ran");
    TemporaryData.of(folder, true).close();
    assertFalse(Files.exists(folder.resolve("kafka")), "the broker data is deleted");
    assertTrue(Files.exists(log), "the logs stay");
  }

  @Test
  void aTemporaryFolderWithNothingElseIsDeletedWhole() throws Exception {
    Path folder = folderWithBrokerData("bench");
    TemporaryData.of(folder, true).close();
    assertFalse(Files.exists(folder));
  }

  @Test
  void aBrokerWritingIntoTheFolderIsStoppedBeforeItsDataIsDeleted() throws Exception {
    Path folder = folderWithBrokerData("child");
    boolean[] dataWasThereWhenStopped = {false};
    TemporaryData data = TemporaryData.of(folder, true);
    data.stopFirst(() -> dataWasThereWhenStopped[0] = Files.exists(folder.resolve("kafka")));
    data.close();
    assertTrue(dataWasThereWhenStopped[0], "stopped first");
    assertFalse(Files.exists(folder));
  }

  @Test
  void aFolderTheUserGaveIsLeftAlone() throws Exception {
    Path folder = folderWithBrokerData("given");
    TemporaryData.of(folder, false).close();
    assertTrue(Files.exists(folder.resolve("kafka").resolve("topic-0").resolve("00000000000000000000.log")));
  }
}
