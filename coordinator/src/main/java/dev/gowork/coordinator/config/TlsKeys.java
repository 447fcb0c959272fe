package dev.gowork.coordinator.config;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The HTTP API's TLS key and certificate: a PKCS12 (or JKS) key store named by
 * {@code GOWORK_TLS_KEYSTORE}, opened with {@code GOWORK_TLS_KEYSTORE_PASSWORD} (or
 * {@code ..._FILE}). Read when the settings are, so a bad file or password stops the start with a
 * message naming the setting; never the password.
 */
final class TlsKeys {
  static final String PASSWORD = "GOWORK_TLS_KEYSTORE_PASSWORD";
  static final String PASSWORD_FILE = "GOWORK_TLS_KEYSTORE_PASSWORD_FILE";
  /** A key store larger than this is not one (a mistaken path to a disk image, say). */
  private static final long MAX_KEYSTORE_BYTES = 1 << 20;

  private TlsKeys() {}

  /** The server's TLS context, or empty when {@code GOWORK_TLS_KEYSTORE} is not set. */
  static Optional<SSLContext> read(SettingValues v, Map<String, String> env) {
    boolean passwordGiven = nonEmpty(env.get(PASSWORD)) || nonEmpty(env.get(PASSWORD_FILE));
    if (!v.given(Setting.TLS_KEYSTORE)) {
      if (passwordGiven) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, PASSWORD + " is set but " + Setting.TLS_KEYSTORE.env
            + " is not: set both to serve HTTPS, or neither");
      }
      return Optional.empty();
    }
    String name = Setting.TLS_KEYSTORE.env;
    Path file = Path.of(v.text(Setting.TLS_KEYSTORE));
    if (!passwordGiven) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name + " needs " + PASSWORD + " or " + PASSWORD_FILE
          + " (the key store's password)");
    }
    char[] password = SharedSecret.readValueOrFile(env, PASSWORD, PASSWORD_FILE).toCharArray();
    try {
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw invalid(name + " names no readable file: " + ErrorLines.quoted(name, file.toString()));
      }
      if (Files.size(file) > MAX_KEYSTORE_BYTES) {
        throw invalid(name + " names a file of " + Files.size(file) + " bytes, not a key store: " + file);
      }
      KeyStore store;
      try {
        store = KeyStore.getInstance(file.toFile(), password);
      } catch (KeyStoreException e) {
        throw invalid(name + ": cannot read " + file + " as a PKCS12 or JKS key store (" + e.getMessage() + ")");
      }
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias) && store.getCertificate(alias) != null;
      }
      if (!hasKey) {
        throw invalid(name + ": " + file + " holds no private key with its certificate");
      }
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return Optional.of(context);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw invalid(name + ": cannot open " + file + " with " + PASSWORD + " (wrong password?)");
      }
      throw invalid(name + ": cannot read " + file + " as a PKCS12 or JKS key store: " + e.getMessage());
    } catch (UnrecoverableKeyException e) {
      throw invalid(name + ": the key in " + file + " does not open with " + PASSWORD
          + " (its key and store passwords must be the same)");
    } catch (GeneralSecurityException e) {
      throw invalid(name + ": cannot use " + file + ": " + e.getMessage());
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  private static GoWorkException invalid(String message) {
    return new GoWorkException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
