package dev.gowork.cli;

import dev.gowork.cli.settings.CliContext;
import java.lang.reflect.Constructor;
import picocli.CommandLine;

/** Builds commands that take a {@link CliContext} in their constructor; anything else as picocli would. */
final class ContextFactory implements CommandLine.IFactory {
  private final CliContext context;

  ContextFactory(CliContext context) {
    this.context = context;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    Constructor<K> withContext;
    try {
      withContext = cls.getDeclaredConstructor(CliContext.class);
    } catch (NoSuchMethodException e) {
      return CommandLine.defaultFactory().create(cls);
    }
    return withContext.newInstance(context);
  }
}
