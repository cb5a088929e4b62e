// SPDX-License-Identifier: Apache-2.0
// The check counters and the assertions every part of java_jni_test shares. A failed check is
// printed and counted, never thrown, so one run reports every failure; the summary reads the counts.

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.incept.InceptException;
import org.incept.Interpreter;

final class Checks {
  private static int count;
  private static int failed;

  private Checks() {}

  interface Body {
    void run() throws Exception;
  }

  /** Checks made so far: check() and expectThrows() count one each. */
  static int count() {
    return count;
  }

  static int failed() {
    return failed;
  }

  static void check(boolean ok, String what) {
    ++count;
    if (!ok) {
      ++failed;
      System.err.println("FAIL: " + what);
    }
  }

  /** `body` must throw exactly `type` with a message containing each of `needles`. */
  static <T extends Throwable> T expectThrows(Class<T> type, String what, Body body, String... needles) {
    ++count;
    try {
      body.run();
    } catch (Throwable e) {
      String message = String.valueOf(e.getMessage());
      boolean ok = e.getClass() == type;
      for (String n : needles) {
        ok &= message.contains(n);
      }
      if (ok) {
        return type.cast(e);
      }
      ++failed;
      System.err.println("FAIL: " + what + ": want " + type.getSimpleName() + " mentioning " + Arrays.toString(needles)
          + ", got " + e);
      return null;
    }
    ++failed;
    System.err.println("FAIL: " + what + ": want " + type.getSimpleName() + ", nothing was thrown");
    return null;
  }

  static void expectIncept(InceptException.Code code, String what, Body body, String... needles) {
    InceptException e = expectThrows(InceptException.class, what, body, needles);
    if (e != null) {
      check(e.code() == code, what + ": code " + e.code() + ", want " + code);
      check(e.getMessage().equals(code.runtimeName() + ": " + e.runtimeMessage())
              && e.codeName().equals(code.runtimeName()),
          what + ": message is '<code name>: <runtime message>': " + e.getMessage());
    }
  }

  // ---- running a model the way jni_reference does ----

  /** Element i of input k, as jni_reference.cc computes it. */
  static float testValue(long i, int k) {
    return (float) ((i * 7919 + 13 + 101 * k) % 2001 - 1000) / 1000.0f;
  }

  static float[] testInput(Interpreter it, int k) {
    float[] x = new float[product(it.inputShape(k))];
    for (int i = 0; i < x.length; ++i) {
      x[i] = testValue(i, k);
    }
    return x;
  }

  static int product(int[] dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** Fills the inputs (by setInput or through inputBuffer), invokes, returns all outputs' bits in order. */
  static int[] runOnce(Interpreter it, boolean throughBuffers) {
    for (int k = 0; k < it.numInputs(); ++k) {
      if (throughBuffers) {
        it.inputBuffer(k).put(testInput(it, k));
      } else {
        it.setInput(k, testInput(it, k));
      }
    }
    it.invoke();
    List<Integer> bits = new ArrayList<>();
    for (int k = 0; k < it.numOutputs(); ++k) {
      float[] y = new float[product(it.outputShape(k))];
      if (throughBuffers) {
        FloatBuffer b = it.outputBuffer(k);
        check(b.capacity() == y.length && b.position() == 0, "output buffer " + k + " covers the output");
        b.get(y);
      } else {
        it.getOutput(k, y);
      }
      for (float v : y) {
        bits.add(Float.floatToRawIntBits(v));
      }
    }
    int[] out = new int[bits.size()];
    for (int i = 0; i < out.length; ++i) {
      out[i] = bits.get(i);
    }
    return out;
  }

  static String firstDifference(int[] got, int[] want) {
    if (got.length != want.length) {
      return got.length + " output floats, C++ has " + want.length;
    }
    for (int i = 0; i < got.length; ++i) {
      if (got[i] != want[i]) {
        return "float " + i + ": " + Float.intBitsToFloat(got[i]) + " vs C++ " + Float.intBitsToFloat(want[i]);
      }
    }
    return null;
  }
}
