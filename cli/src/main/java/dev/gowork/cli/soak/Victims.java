package dev.gowork.cli.soak;

import dev.gowork.broker.ErrorLines;
import dev.gowork.cli.settings.CliException;
import java.util.Locale;
import java.util.Random;

/**
 * Which process the soak's next kill hits, and when a killed coordinator comes back. A seeded
 * {@link Random} decides, so that a seed repeats a run's choices.
 *
 * <p>A worker is replaced at once by a new one. A coordinator is restarted with its own instance id
 * and ports, half of the time at once (its replacement aborts its own open transaction and takes its
 * partitions back), else after {@code lateRestartMillis}, past the session timeout and the fence's
 * delay (the other coordinators have taken its partitions over and fenced its transaction; it rejoins
 * as a new member).
 */
final class Victims {
  /** What {@code --kill} names. */
  enum Target {
    WORKERS, COORDINATORS, BOTH;

    /** @throws CliException usage, naming {@code --kill}, for anything but workers, coordinators or both */
    static Target of(String flag) {
      try {
        return valueOf(flag.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw CliException.usage("--kill must be workers, coordinators or both; was "
            + ErrorLines.quoted("--kill", flag));
      }
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One choice.
   *
   * @param index which of the live workers, or which coordinator
   * @param restartAfterMillis for a coordinator, how long it stays down (0: restarted at once)
   */
  record Victim(boolean coordinator, int index, long restartAfterMillis) {}

  private final Target target;
  private final Random random;
  private final long lateRestartMillis;

  Victims(Target target, Random random, long lateRestartMillis) {
    this.target = target;
    this.random = random;
    this.lateRestartMillis = lateRestartMillis;
  }

  /**
   * The next victim among {@code workers} live workers (at least 1) and {@code coordinators} coordinators.
   * With {@link Target#WORKERS} it draws as the soak always did: one {@code nextInt(workers)}.
   */
  Victim next(int workers, int coordinators) {
    boolean coordinator = switch (target) {
      case WORKERS -> false;
      case COORDINATORS -> true;
      case BOTH -> random.nextBoolean();
    };
    if (!coordinator) {
      return new Victim(false, random.nextInt(workers), 0);
    }
    return new Victim(true, random.nextInt(coordinators), random.nextBoolean() ? 0 : lateRestartMillis);
  }
}
