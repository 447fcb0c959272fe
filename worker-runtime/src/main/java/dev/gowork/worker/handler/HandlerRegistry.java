package dev.gowork.worker.handler;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the handler that {@code GOWORK_HANDLER} names: a registered name (built-ins {@code echo},
 * {@code sleep}, {@code fail}, {@code noop}) or else the name of a class with a public no-argument
 * constructor that implements {@link WorkHandler}. Immutable and thread-safe.
 *
 * <pre>{@code
 * WorkHandler h = HandlerRegistry.builtIns().resolve("echo");
 * WorkHandler mine = HandlerRegistry.builtIns().with("resize", new Resize()).resolve("resize");
 * WorkHandler byClass = HandlerRegistry.builtIns().resolve("com.example.Resize");
 * }</pre>
 */
public final class HandlerRegistry {
  /** The setting that names the handler, used in error messages. */
  public static final String SETTING = "GOWORK_HANDLER";
  private static final int MAX_NAME_LENGTH = 500;

  private final Map<String, WorkHandler> named;

  private HandlerRegistry(Map<String, WorkHandler> named) {
    this.named = Collections.unmodifiableMap(new TreeMap<>(named));
  }

  /** The built-in handlers: {@code echo}, {@code sleep}, {@code fail}, {@code noop}. */
  public static HandlerRegistry builtIns() {
    return new HandlerRegistry(Map.of(
        "echo", new EchoHandler(), "sleep", new SleepHandler(), "fail", new FailHandler(), "noop", new NoopHandler()));
  }

  /** A copy of this registry with {@code handler} under {@code name} (replacing any there). */
  public HandlerRegistry with(String name, WorkHandler handler) {
    if (name == null || name.isBlank()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "a handler name must not be blank");
    }
    Map<String, WorkHandler> copy = new TreeMap<>(named);
    copy.put(name, Objects.requireNonNull(handler, "handler"));
    return new HandlerRegistry(copy);
  }

  /** The registered names, sorted. */
  public Set<String> names() {
    return named.keySet();
  }

  /**
   * The handler a name or class name stands for; a class is instantiated on each call.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming {@code GOWORK_HANDLER} when the name is blank, or
   *     neither registered nor a loadable class implementing {@link WorkHandler} with a public no-argument
   *     constructor
   */
  public WorkHandler resolve(String nameOrClass) {
    if (nameOrClass == null || nameOrClass.isBlank()) {
      throw invalid(SETTING + " must name a handler: one of " + named.keySet() + " or a class name");
    }
    String name = nameOrClass.strip();
    WorkHandler h = named.get(name);
    return h != null ? h : instantiate(name);
  }

  private WorkHandler instantiate(String className) {
    String shown = className.length() > MAX_NAME_LENGTH ? className.substring(0, MAX_NAME_LENGTH) + "…" : className;
    Class<?> type;
    try {
      type = Class.forName(className, true, loader());
    } catch (ClassNotFoundException e) {
      throw invalid(SETTING + " '" + shown + "' is neither a built-in handler " + named.keySet()
          + " nor a class on the classpath; check the name, and with ./gowork name its jar (or class folder) in"
          + " GOWORK_CLASSPATH");
    } catch (LinkageError | RuntimeException e) {
      // The class is there, but it (or a class it needs) cannot be loaded or initialised: say why,
      // rather than that it is missing.
      Throwable why = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          SETTING + " '" + shown + "' was found but cannot be loaded: " + why, why);
    }
    if (!WorkHandler.class.isAssignableFrom(type)) {
      throw invalid(SETTING + " '" + shown + "' does not implement " + WorkHandler.class.getName());
    }
    if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
      throw invalid(SETTING + " '" + shown + "' must be a public, concrete class");
    }
    try {
      Constructor<?> ctor = type.getConstructor();
      return (WorkHandler) ctor.newInstance();
    } catch (NoSuchMethodException e) {
      throw invalid(SETTING + " '" + shown + "' needs a public no-argument constructor");
    } catch (InvocationTargetException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          SETTING + " '" + shown + "': its constructor threw " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          SETTING + " '" + shown + "' cannot be instantiated: " + e, e);
    }
  }

  private static ClassLoader loader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : HandlerRegistry.class.getClassLoader();
  }

  private static GoWorkException invalid(String message) {
    return new GoWorkException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
