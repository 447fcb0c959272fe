package dev.gowork.cli.http;

import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.tls.TrustedCertificates;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Where the coordinator is and the producer token: {@code --url} / {@code GOWORK_COORDINATOR_URL}
 * (default {@value #DEFAULT_URL}) and {@code GOWORK_API_TOKEN} / {@code GOWORK_API_TOKEN_FILE}; for an
 * {@code https://} URL, the certificates of {@code GOWORK_COORDINATOR_CA_FILE} (null {@code tls}: the
 * JVM's trust store).
 */
public record ProducerSettings(URI url, String urlSetting, String apiToken, SSLContext tls) {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";
  public static final String URL_ENV = "GOWORK_COORDINATOR_URL";
  public static final String CA_FILE_ENV = "GOWORK_COORDINATOR_CA_FILE";

  /** Resolves from the {@code --url} flag value (nullable), then the environment, then defaults. */
  public static ProducerSettings resolve(Settings settings, String urlFlag) {
    URI url = settings.httpUrl("--url", urlFlag, URL_ENV, DEFAULT_URL);
    String source = urlFlag != null ? "--url" : settings.env(URL_ENV) != null ? URL_ENV : "default " + URL_ENV;
    String caFile = settings.env(CA_FILE_ENV);
    SSLContext tls = caFile == null || caFile.isBlank() ? null : trusting(caFile.strip());
    return new ProducerSettings(url, source, settings.secret("GOWORK_API_TOKEN", "GOWORK_API_TOKEN_FILE"), tls);
  }

  private static SSLContext trusting(String file) {
    try {
      return TrustedCertificates.fromPem(Path.of(file), CA_FILE_ENV);
    } catch (GoWorkException | InvalidPathException e) {
      throw CliException.usage(e.getMessage());
    }
  }

  /** A client for these settings. */
  public CoordinatorClient client() {
    return new CoordinatorClient(url, apiToken, urlSetting, Duration.ofSeconds(60), tls);
  }

  @Override
  public String toString() {
    return "ProducerSettings[url=" + url + ", apiToken=" + (apiToken == null ? "none" : "****") + "]";
  }
}
