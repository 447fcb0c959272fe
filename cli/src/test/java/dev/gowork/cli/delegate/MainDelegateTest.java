package dev.gowork.cli.delegate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.settings.CliException;
import org.junit.jupiter.api.Test;

class MainDelegateTest {
  /** Stands in for a process main: records its arguments, returns a chosen code. */
  public static final class RecordingMain {
    static String[] seen;

    public static int run(String... args) {
      seen = args;
      if (args.length > 0 && args[0].equals("boom")) {
        throw new IllegalStateException("boom");
      }
      return 7;
    }
  }

  private final MainDelegate delegate = new MainDelegate("thing", RecordingMain.class.getName());

  @Test
  void everyArgumentPassesUntouchedAndTheExitCodeComesBack() {
    String[] args = {"--help", "--", "-x", "--name=a b", ""};
    assertEquals(7, delegate.run(args));
    assertArrayEquals(args, RecordingMain.seen);
  }

  @Test
  void whatTheMainThrowsIsRethrownAsIs() {
    assertEquals("boom", assertThrows(IllegalStateException.class, () -> delegate.run("boom")).getMessage());
  }

  @Test
  void aMissingMainSaysWhichClass() {
    CliException e = assertThrows(CliException.class, () -> new MainDelegate("gone", "no.such.Main").run());
    assertTrue(e.getMessage().startsWith("gone: no.such.Main is not on the class path"), e.getMessage());
  }
}
