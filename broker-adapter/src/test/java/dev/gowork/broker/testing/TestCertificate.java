package dev.gowork.broker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made by the JDK's {@code keytool} into a
 * PKCS12 key store, as an operator would make one; and a client context that trusts it (and
 * nothing else).
 */
public record TestCertificate(Path keyStore, String password, Path certificate) {

  /** Makes the key store and the certificate's PEM file in {@code dir}. */
  public static TestCertificate create(Path dir, String password) throws IOException, InterruptedException {
    return create(dir, password, "CN=localhost", "ip:127.0.0.1,dns:localhost");
  }

  /**
   * As {@link #create(Path, String)}, made out to other names: e.g. {@code "CN=coordinator.example"} and
   * {@code "dns:coordinator.example"}, or no subject alternative names at all when {@code san} is null.
   */
  public static TestCertificate create(Path dir, String password, String subject, String san)
      throws IOException, InterruptedException {
    Path store = dir.resolve("server.p12");
    Path pem = dir.resolve("server.pem");
    List<String> args = new java.util.ArrayList<>(List.of("-genkeypair", "-alias", "gowork", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", subject));
    if (san != null) {
      args.addAll(List.of("-ext", "SAN=" + san));
    }
    args.addAll(List.of("-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass",
        password, "-keypass", password));
    keytool(args.toArray(String[]::new));
    keytool("-exportcert", "-rfc", "-alias", "gowork", "-keystore", store.toString(), "-storepass", password, "-file",
        pem.toString());
    return new TestCertificate(store, password, pem);
  }

  /** A server context that presents this certificate. */
  public SSLContext server() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(keyStore.toFile(), password.toCharArray());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /** A client context that trusts this certificate only. */
  public SSLContext trustingClient() throws IOException, GeneralSecurityException {
    Certificate cert;
    try (InputStream in = Files.newInputStream(certificate)) {
      cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("gowork", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
