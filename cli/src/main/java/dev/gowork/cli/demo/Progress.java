package dev.gowork.cli.demo;

import java.util.Locale;

/** The demo's progress as one line of text: a bar for a console, plain words for a log. Pure functions. */
final class Progress {
  private static final int BAR_WIDTH = 30;

  private Progress() {}

  /** {@code [#########.....]  45%  4,500/10,000  2,345/s  failed 0  timed out 0}, for redrawing with \r. */
  static String bar(Tally.Snapshot s, int total, double perSecond) {
    int done = s.finished();
    int filled = total == 0 ? BAR_WIDTH : (int) ((long) done * BAR_WIDTH / total);
    return String.format(Locale.ROOT, "[%s%s] %3d%%  %,d/%,d  %,.0f/s  failed %,d  timed out %,d",
        "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), percent(done, total), done, total, perSecond,
        s.failed(), s.timedOut());
  }

  /** {@code demo: 4,500 of 10,000 done (45%), 2,345/s, failed 0, timed out 0}, one per interval. */
  static String plain(Tally.Snapshot s, int total, double perSecond) {
    return String.format(Locale.ROOT, "demo: %,d of %,d done (%d%%), %,.0f/s, failed %,d, timed out %,d",
        s.finished(), total, percent(s.finished(), total), perSecond, s.failed(), s.timedOut());
  }

  private static int percent(int done, int total) {
    return total == 0 ? 100 : (int) ((long) done * 100 / total);
  }
}
