// SPDX-License-Identifier: Apache-2.0
package org.incept;

import java.util.ArrayList;
import java.util.List;

/**
 * Library-wide queries. The native library (libincept_jni) is loaded on first use of any org.incept
 * class that needs it: set the system property {@code incept.jni.path} to its absolute path to
 * load that file (desktop JVMs); otherwise {@code System.loadLibrary("incept_jni")} finds it
 * (Android: packaged by the NDK build under lib/ABI/ in the APK).
 */
public final class Incept {
  private static final String[] BACKENDS = {"auto", "ref", "eigen", "xnnpack", "native"};

  private Incept() {}

  /** The project version the native library was built from, e.g. "0.1.0". */
  public static String version() {
    return NativeLib.version();
  }

  /**
   * Whether the named backend ("auto", "ref", "eigen", "xnnpack", "native") is built into the native library
   * and usable on this CPU.
   *
   * @throws InceptException (INVALID_ARGUMENT) for any other name
   */
  public static boolean backendAvailable(String name) {
    if (name == null) {
      throw new NullPointerException("backend is null");
    }
    return NativeLib.backendAvailable(name);
  }

  /** The backends usable here, "auto" first: what {@link Interpreter.Options#setBackend} accepts. */
  public static String[] availableBackends() {
    List<String> out = new ArrayList<String>();
    for (String b : BACKENDS) {
      if (NativeLib.backendAvailable(b)) {
        out.add(b);
      }
    }
    return out.toArray(new String[0]);
  }

  /**
   * Native models and interpreters alive now (a diagnostic for leak checks: it returns to its
   * earlier value once everything opened since is closed).
   */
  public static int liveNativeObjects() {
    return NativeLib.liveObjects();
  }
}
