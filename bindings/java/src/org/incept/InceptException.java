// SPDX-License-Identifier: Apache-2.0
package org.incept;

/**
 * A failure the incept runtime reports: a model file it refuses, an argument it rejects, an arena
 * cap too small. {@link #code()} says which kind; {@link #runtimeMessage()} is the runtime's own
 * message (what, where, the value found, the rule), and {@link #getMessage()} is
 * {@code "<code name>: <runtime message>"}, e.g.
 * {@code "invalid model: model file is 100 bytes; it does not start with the identifier INCP ..."}.
 *
 * <p>Wrong call order is not reported this way: a closed Model or Interpreter, or an Interpreter
 * used before prepare(), throws {@link IllegalStateException}; a null argument throws
 * {@link NullPointerException}.
 */
public final class InceptException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The runtime's status codes (incept::StatusCode), with the runtime's names for them. */
  public enum Code {
    INVALID_MODEL(1, "invalid model"),
    UNSUPPORTED(2, "unsupported"),
    ARENA_TOO_SMALL(3, "arena too small"),
    INVALID_ARGUMENT(4, "invalid argument"),
    INTERNAL(5, "internal error"),
    IO_ERROR(6, "i/o error");

    private final int value;
    private final String runtimeName;

    Code(int value, String runtimeName) {
      this.value = value;
      this.runtimeName = runtimeName;
    }

    /** The numeric value of incept::StatusCode (and of the C API's incept_status). */
    public int value() {
      return value;
    }

    /** "invalid model", "i/o error", ...: the name incept::status_code_name() gives. */
    public String runtimeName() {
      return runtimeName;
    }

    static Code of(int value) {
      for (Code c : values()) {
        if (c.value == value) {
          return c;
        }
      }
      return INTERNAL;
    }
  }

  private final Code code;
  private final String runtimeMessage;

  /** Thrown by the native library (bindings/java/jni_support.cc): keep this constructor. */
  InceptException(int code, String runtimeMessage) {
    this(Code.of(code), runtimeMessage);
  }

  InceptException(Code code, String runtimeMessage) {
    super(code.runtimeName() + ": " + runtimeMessage);
    this.code = code;
    this.runtimeMessage = runtimeMessage;
  }

  public Code code() {
    return code;
  }

  /** The runtime's name of the code: "invalid model", "invalid argument", ... */
  public String codeName() {
    return code.runtimeName();
  }

  /** The message alone, without the code name in front. */
  public String runtimeMessage() {
    return runtimeMessage;
  }
}
