package dev.gowork.broker.wire;

import dev.gowork.broker.GoWorkException;
import java.util.Objects;

/**
 * The outcome of decoding: a value or a {@link DecodeError}, never both.
 *
 * <pre>{@code
 * Decoded<WorkEnvelope> d = codec.decodeWork(bytes);
 * if (d.isOk()) run(d.value()); else report(d.error());
 * }</pre>
 */
public final class Decoded<T> {
  private final T value;
  private final DecodeError error;

  private Decoded(T value, DecodeError error) {
    this.value = value;
    this.error = error;
  }

  static <T> Decoded<T> ok(T value) {
    return new Decoded<>(Objects.requireNonNull(value), null);
  }

  static <T> Decoded<T> failure(DecodeError.Kind kind, String message) {
    return new Decoded<>(null, new DecodeError(kind, message));
  }

  public boolean isOk() {
    return error == null;
  }

  /** The decoded value; throws {@link IllegalStateException} on a failure. */
  public T value() {
    if (error != null) {
      throw new IllegalStateException("not decoded: " + error.message());
    }
    return value;
  }

  /** The failure; {@code null} when decoding succeeded. */
  public DecodeError error() {
    return error;
  }

  /** The value, or a {@link GoWorkException} carrying the error's code and message. */
  public T orThrow() {
    if (error != null) {
      throw new GoWorkException(error.kind().code(), error.message());
    }
    return value;
  }

  @Override
  public String toString() {
    return isOk() ? "Decoded[" + value + "]" : "Decoded[" + error + "]";
  }
}
