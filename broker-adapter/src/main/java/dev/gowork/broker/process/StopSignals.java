package dev.gowork.broker.process;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into an orderly stop, so that a coordinator or worker process that a
 * supervisor (Kubernetes, systemd, Compose) or Ctrl-C stops exits with code 0 once it has stopped
 * cleanly. Without this the JVM runs its shutdown hooks and exits with 143 or 130, which supervisors
 * count as a failure. The same signal again while stopping (Ctrl-C twice) ends the process at once
 * with 128 + the signal's number; the other one is ignored then, because a parent that forwards
 * SIGTERM to children that already got the terminal's SIGINT only means "stop" too.
 *
 * <p>The JDK's signal API ({@code sun.misc.Signal}, module {@code jdk.unsupported}) is reached by
 * reflection so that the build stays free of warnings about it; where it is missing, the JVM's own
 * handling (shutdown hooks, exit 143) applies.
 */
public final class StopSignals {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

  private StopSignals() {}

  /**
   * On the first SIGTERM or SIGINT, runs {@code stop} on a thread of its own.
   *
   * @return false when this JVM does not let a program handle signals
   */
  public static boolean onStop(String name, Runnable stop) {
    AtomicReference<String> first = new AtomicReference<>();
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      InvocationHandler onSignal = (proxy, method, args) -> {
        if (!"handle".equals(method.getName())) {
          return method.getName().equals("toString") ? "StopSignals(" + name + ")" : null;
        }
        Object signal = args[0];
        String signalName = (String) signalClass.getMethod("getName").invoke(signal);
        int number = (int) signalClass.getMethod("getNumber").invoke(signal);
        if (first.compareAndSet(null, signalName)) {
          LOG.info("SIG{} received: stopping {} (send it again to end the process at once)", signalName, name);
          Thread t = new Thread(stop, "gowork-stop");
          t.setDaemon(false);
          t.start();
        } else if (signalName.equals(first.get())) {
          LOG.warn("SIG{} received again: ending {} at once", signalName, name);
          Runtime.getRuntime().halt(128 + number);
        } else {
          LOG.info("SIG{} received while stopping {}: already stopping", signalName, name);
        }
        return null;
      };
      Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
          onSignal);
      for (String signal : new String[] {"TERM", "INT"}) {
        Object s = signalClass.getConstructor(String.class).newInstance(signal);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, s, handler);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("signals are not handled here ({}); the JVM's shutdown hooks apply", e.toString());
      return false;
    }
  }
}
