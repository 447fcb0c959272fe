package dev.gowork.coordinator.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * What the log says at WARN or above (or another level, {@link #from}) while this is open, from loggers
 * whose names start with one of the given prefixes, as "logger: message" lines.
 */
public final class CapturedWarnings implements AutoCloseable {
  private static final java.util.concurrent.atomic.AtomicLong COUNT = new java.util.concurrent.atomic.AtomicLong();
  /** A name of its own: with one name for all, a capture opened inside another replaced it and captured nothing. */
  private final String name = "captured-warnings-" + COUNT.incrementAndGet();

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> prefixes;
  private final Level level;
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender = new AbstractAppender(name, null, null, true, Property.EMPTY_ARRAY) {
    @Override
    public void append(LogEvent event) {
      if (event.getLevel().isMoreSpecificThan(level) && prefixes.stream().anyMatch(event.getLoggerName()::startsWith)) {
        lines.add(event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
      }
    }
  };

  private CapturedWarnings(Level level, List<String> prefixes) {
    this.level = level;
    this.prefixes = prefixes;
    appender.start();
    context.getConfiguration().getRootLogger().addAppender(appender, level, null);
    context.updateLoggers();
  }

  /** Starts capturing what loggers named {@code prefixes...} say. */
  public static CapturedWarnings start(String... prefixes) {
    return new CapturedWarnings(Level.WARN, List.of(prefixes));
  }

  /** Starts capturing what loggers named {@code prefixes...} say at {@code level} or above (as far as their configuration lets through). */
  public static CapturedWarnings from(Level level, String... prefixes) {
    return new CapturedWarnings(level, List.of(prefixes));
  }

  /** The lines captured so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    context.getConfiguration().getRootLogger().removeAppender(name);
    context.updateLoggers();
    appender.stop();
  }
}
