package dev.gowork.broker.tls;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client's TLS context that trusts the certificates of one PEM file (a private CA, or the
 * coordinator's self-signed certificate) instead of the JVM's trust store, as {@code curl --cacert}
 * does. Host names are still checked against the certificate.
 *
 * <pre>{@code
 * SSLContext tls = TrustedCertificates.fromPem(Path.of("ca.pem"), "GOWORK_COORDINATOR_CA_FILE");
 * }</pre>
 */
public final class TrustedCertificates {
  /** A PEM file larger than this is not a bundle of certificates. */
  private static final long MAX_FILE_BYTES = 1 << 20;

  private TrustedCertificates() {}

  /**
   * @param setting the setting that named the file, for the error message
   * @throws GoWorkException INVALID_ARGUMENT naming {@code setting} when the file cannot be read or holds no certificate
   */
  public static SSLContext fromPem(Path file, String setting) {
    try {
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw invalid(setting + " names no readable file: " + file);
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw invalid(setting + " names a file of " + Files.size(file) + " bytes, not PEM certificates: " + file);
      }
      Collection<? extends Certificate> certificates;
      try (InputStream in = Files.newInputStream(file)) {
        certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (certificates.isEmpty()) {
        throw invalid(setting + ": " + file + " holds no certificate");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int n = 0;
      for (Certificate c : certificates) {
        trust.setCertificateEntry("trusted-" + n++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw invalid(setting + ": cannot read " + file + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw invalid(setting + ": " + file + " is not a PEM file of X.509 certificates (" + e.getMessage() + ")");
    }
  }

  /**
   * What went wrong in a client's TLS handshake, in words: an untrusted certificate, a certificate for
   * another host, or else the JDK's message.
   */
  public static String reason(SSLException e) {
    String mismatch = hostMismatch(e);
    if (mismatch != null) {
      return "its certificate is not made out to this host name or address (" + mismatch + ")";
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "its certificate is not signed by a certificate this client trusts";
      }
    }
    return String.valueOf(e.getMessage());
  }

  /**
   * The JDK's words when the certificate is trusted but made out to other names ("No subject alternative
   * ... matching ...", or "No name matching ..." for one without such names); null for any other failure.
   * The fix is then the host name in the URL, or the certificate's names, not a CA file.
   */
  public static String hostMismatch(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (t instanceof CertificateException && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
        return m;
      }
    }
    return null;
  }

  /**
   * True when {@code host} (from a URL) is an IPv4 or IPv6 address, not a name: a certificate then needs it
   * as an IP address entry among its subject alternative names, not as a DNS name.
   */
  public static boolean isAddress(String host) {
    if (host == null) {
      return false;
    }
    return host.startsWith("[") || host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private static GoWorkException invalid(String message) {
    return new GoWorkException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
