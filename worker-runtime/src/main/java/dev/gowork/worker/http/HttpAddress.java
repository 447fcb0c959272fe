package dev.gowork.worker.http;

import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.runtime.WorkerSetting;
import java.util.Map;
import java.util.Optional;

/**
 * Where a replica serves {@link WorkerHttp}: {@code GOWORK_WORKER_HTTP_HOST} and
 * {@code GOWORK_WORKER_HTTP_PORT}. No port (or {@code none}) means no HTTP at all.
 */
public record HttpAddress(String host, int port) {
  public HttpAddress {
    if (host == null || host.isBlank() || host.length() > 253 || host.chars().anyMatch(c -> c <= ' ')) {
      throw invalid(WorkerSetting.HTTP_HOST, host, "a host name or IP address");
    }
    if (port < 0 || port > 65_535) {
      throw invalid(WorkerSetting.HTTP_PORT, port, "0..65535 or none");
    }
  }

  /**
   * Reads both settings from {@code env}.
   *
   * @return empty when no port is set
   * @throws GoWorkException INVALID_ARGUMENT naming the setting and the bad value
   */
  public static Optional<HttpAddress> fromEnv(Map<String, String> env) {
    String port = env.getOrDefault(WorkerSetting.HTTP_PORT.env(), "").strip();
    String host = env.getOrDefault(WorkerSetting.HTTP_HOST.env(), "").strip();
    if (port.isEmpty() || port.equals("none")) {
      return Optional.empty();
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw invalid(WorkerSetting.HTTP_PORT, port, "0..65535 or none");
    }
    return Optional.of(new HttpAddress(host.isEmpty() ? "0.0.0.0" : host, p));
  }

  private static GoWorkException invalid(WorkerSetting s, Object value, String expected) {
    return s.invalid(value, expected);
  }
}
