package dev.gowork.cli.http;

import dev.gowork.cli.settings.CliException;

/** The coordinator's limit on a work id, checked before a request is sent. */
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
}
