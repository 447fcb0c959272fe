package dev.gowork.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.cli.settings.CliException;
import java.io.PrintStream;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** The coordinator's limit on a work id, checked before a request is sent, and commands over several ids. */
public final class WorkIds {
  /** The longest work id the coordinator accepts. */
  public static final int MAX_LENGTH = 200;
  private static final int SHOWN = 24;

  private WorkIds() {}

  /**
   * Refuses a blank or over-long id with a usage error; an over-long id is shown by its length and
   * first characters, not echoed whole.
   */
  public static void check(String id) {
    if (id.isBlank()) {
      throw CliException.usage("work id must be 1 to " + MAX_LENGTH + " characters; was blank");
    }
    if (id.length() > MAX_LENGTH) {
      throw CliException.usage("work id must be 1 to " + MAX_LENGTH + " characters; was " + id.length()
          + " ('" + id.substring(0, SHOWN) + "…')");
    }
  }

  /**
   * Asks the coordinator about each id ({@code ask}) and hands each answer to {@code show}. With one id
   * a refusal is thrown; with several, it is printed on {@code err} and the others still go.
   *
   * @return the exit code: 0, or {@link CliException#FAILED} when any id was refused
   */
  public static int each(List<String> ids, PrintStream err, Function<String, JsonNode> ask,
      BiConsumer<String, JsonNode> show) {
    int missed = 0;
    for (String id : ids) {
      JsonNode answer;
      try {
        answer = ask.apply(id);
      } catch (CliException e) {
        if (ids.size() == 1) {
          throw e;
        }
        err.println("gowork: " + e.getMessage());
        missed++;
        continue;
      }
      show.accept(id, answer);
    }
    return missed == 0 ? 0 : CliException.FAILED;
  }
}
