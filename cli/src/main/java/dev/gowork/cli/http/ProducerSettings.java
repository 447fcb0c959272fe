package dev.gowork.cli.http;

import dev.gowork.cli.settings.Settings;
import java.net.URI;
import java.time.Duration;

/**
 * Where the coordinator is and the producer token: {@code --url} / {@code GOWORK_COORDINATOR_URL}
 * (default {@value #DEFAULT_URL}) and {@code GOWORK_API_TOKEN} / {@code GOWORK_API_TOKEN_FILE}.
 */
public record ProducerSettings(URI url, String urlSetting, String apiToken) {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";
  public static final String URL_ENV = "GOWORK_COORDINATOR_URL";

  /** Resolves from the {@code --url} flag value (nullable), then the environment, then defaults. */
  public static ProducerSettings resolve(Settings settings, String urlFlag) {
    URI url = settings.httpUrl("--url", urlFlag, URL_ENV, DEFAULT_URL);
    String source = urlFlag != null ? "--url" : settings.env(URL_ENV) != null ? URL_ENV : "default " + URL_ENV;
    return new ProducerSettings(url, source, settings.secret("GOWORK_API_TOKEN", "GOWORK_API_TOKEN_FILE"));
  }

  /** A client for these settings. */
  public CoordinatorClient client() {
    return new CoordinatorClient(url, apiToken, urlSetting, Duration.ofSeconds(60));
  }

  @Override
  public String toString() {
    return "ProducerSettings[url=" + url + ", apiToken=" + (apiToken == null ? "none" : "****") + "]";
  }
}
