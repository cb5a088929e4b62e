// SPDX-License-Identifier: Apache-2.0
package org.incept;

import java.nio.ByteBuffer;

/**
 * The native entry points (bindings/java/incept_jni*.cc). Loading this class loads libincept_jni:
 * from the path in the system property {@code incept.jni.path} when set (desktop JVMs, tests),
 * otherwise by {@code System.loadLibrary("incept_jni")} (Android: the APK's lib/ABI folder).
 *
 * <p>Each call that takes a handle also takes its Java owner, which keeps the owner reachable (and
 * its native object alive) for the duration of the call.
 */
final class NativeLib {
  static final String PATH_PROPERTY = "incept.jni.path";

  static {
    String path = System.getProperty(PATH_PROPERTY);
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("incept_jni");
    }
  }

  private NativeLib() {}

  static native String version();
  static native boolean backendAvailable(String name);
  static native int liveObjects();

  static native long loadFile(String path);
  static native long loadArray(byte[] bytes, int offset, int length);
  static native long loadBuffer(ByteBuffer direct, int position, int length);
  static native void freeModel(Object owner, long model);
  static native String[] modelStrings(Object owner, long model);
  static native int[] modelInts(Object owner, long model);
  static native float[] modelFloats(Object owner, long model);
  static native long modelWeightsBytes(Object owner, long model);
  static native String[] modelLabels(Object owner, long model);
  static native String[] modelTensorNames(Object owner, long model, boolean output);
  static native int[] modelTensorShape(Object owner, long model, boolean output, int index);

  static native long createInterpreter(
      Object owner, long model, String backend, int threads, long maxArenaBytes, boolean winograd);
  static native void freeInterpreter(Object owner, long interpreter);
  static native long arenaBytesRequired(Object owner, long interpreter);
  static native void prepare(Object owner, long interpreter, ByteBuffer arena);
  static native long[] tensorSpan(Object owner, long interpreter, boolean output, int index);
  static native void invoke(Object owner, long interpreter);
}
