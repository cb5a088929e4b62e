// SPDX-License-Identifier: Apache-2.0
// java_jni_test, error paths: bad files and bytes, bad interpreter options and calls, every call after
// close(), and the native entry points' own argument checks. Each is a specific exception carrying the
// runtime's message, and the objects stay usable after a rejected call.

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.incept.ImageInput;
import org.incept.InceptException;
import org.incept.Interpreter;
import org.incept.Model;

final class ErrorTests {
  private ErrorTests() {}

  static void testLoadErrors(String tiny, File workDir) throws Exception {
    Checks.expectIncept(InceptException.Code.IO_ERROR, "a missing file",
        ()
            -> Model.fromFile("/nonexistent/model.incept"),
        "cannot open model file '/nonexistent/model.incept'", "No such file");
    String unicodeMissing = new File(workDir, "mod\u00e8le \ud83d\udc31 missing.incept").getPath();
    Checks.expectIncept(InceptException.Code.IO_ERROR, "a missing file with a non-ASCII name",
        () -> Model.fromFile(unicodeMissing), unicodeMissing);
    File unicode = new File(workDir, "mod\u00e8le \ud83d\udc31.incept");
    Files.copy(Paths.get(tiny), unicode.toPath(), StandardCopyOption.REPLACE_EXISTING);
    try (Model m = Model.fromFile(unicode.getPath())) {
      Checks.check(m.numInputs() == 1, "a file with a non-ASCII name loads");
    }
    Checks.expectIncept(
        InceptException.Code.IO_ERROR, "a directory", () -> Model.fromFile(workDir.getPath()), "not a regular file");
    Checks.expectIncept(
        InceptException.Code.INVALID_ARGUMENT, "a path with a NUL", () -> Model.fromFile(tiny + "\u0000x"), "NUL");
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    Checks.expectIncept(InceptException.Code.INVALID_MODEL, "garbage bytes",
        () -> Model.fromBytes(garbage), "not an incept model file");
    ByteBuffer.wrap(garbage).order(ByteOrder.LITTLE_ENDIAN).putInt(0, garbage.length - 4);  // a plausible size prefix
    Checks.expectIncept(InceptException.Code.INVALID_MODEL, "garbage bytes behind a size prefix",
        () -> Model.fromBytes(garbage), "INCP");
    File garbageFile = new File(workDir, "garbage.incept");
    Files.write(garbageFile.toPath(), garbage);
    Checks.expectIncept(InceptException.Code.INVALID_MODEL, "a garbage file",
        () -> Model.fromFile(garbageFile.getPath()), garbageFile.getPath());
    byte[] good = Files.readAllBytes(Paths.get(tiny));
    for (int n : new int[] {0, 3, 8, 64, good.length / 2, good.length - 1}) {
      byte[] cut = Arrays.copyOf(good, n);
      InceptException e =
          Checks.expectThrows(InceptException.class, "the model cut to " + n + " bytes", () -> Model.fromBytes(cut));
      Checks.check(e != null && e.code() == InceptException.Code.INVALID_MODEL && !e.runtimeMessage().isEmpty(),
          "the model cut to " + n + " bytes is an invalid model with a message: " + e);
    }
    for (int i = 0; i < good.length; i += 13) {  // single byte flips: refused or loaded, never a crash
      byte[] flipped = good.clone();
      flipped[i] ^= (byte) 0x5A;
      try (Model m = Model.fromBytes(flipped); Interpreter it = new Interpreter(m)) {
        it.prepare();
        it.invoke();
      } catch (InceptException e) {
        if (e.runtimeMessage().isEmpty()) {
          Checks.check(false, "byte flip at " + i + ": an exception without a message");
        }
      }
    }
    Checks.check(true, "byte flips: every flipped file refused with a message or run");
    Checks.expectThrows(NullPointerException.class, "fromFile(null)", () -> Model.fromFile(null), "path");
    Checks.expectThrows(NullPointerException.class, "fromBytes(null)", () -> Model.fromBytes(null), "bytes");
    Checks.expectThrows(NullPointerException.class, "fromBuffer(null)", () -> Model.fromBuffer(null), "buffer");
  }

  static void testInterpreterErrors(String tiny) {
    try (Model m = Model.fromFile(tiny)) {
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "an unknown backend",
          () -> new Interpreter(m, new Interpreter.Options().setBackend("cuda")), "unknown backend 'cuda'");
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "threads 0",
          () -> new Interpreter(m, new Interpreter.Options().setThreads(0)), "threads must be >= 1, got 0");
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "a negative arena cap",
          () -> new Interpreter(m, new Interpreter.Options().setMaxArenaBytes(-1)), "maxArenaBytes");
      Checks.expectThrows(NullPointerException.class, "new Interpreter(null)", () -> new Interpreter(null), "model");
      Checks.expectThrows(NullPointerException.class, "null options", () -> new Interpreter(m, null), "options");
      Checks.expectThrows(NullPointerException.class, "a null backend",
          () -> new Interpreter(m, new Interpreter.Options().setBackend(null)), "backend");
      Checks.check(new Interpreter.Options().winograd() && !new Interpreter.Options().setWinograd(false).winograd(),
          "Options.winograd: on by default, kept when turned off");
      try (Interpreter direct = new Interpreter(m, new Interpreter.Options().setWinograd(false))) {
        direct.prepare();  // every conv direct: a valid interpreter all the same
        direct.invoke();
      }
      try (Interpreter capped = new Interpreter(m, new Interpreter.Options().setMaxArenaBytes(64))) {
        Checks.expectIncept(InceptException.Code.ARENA_TOO_SMALL, "an arena cap below the plan", capped::prepare, "64");
        Checks.check(!capped.isPrepared(), "a failed prepare leaves the interpreter unprepared");
      }
      try (Interpreter it = new Interpreter(m)) {
        Checks.expectThrows(IllegalStateException.class, "invoke before prepare", it::invoke, "prepare() first");
        Checks.expectThrows(
            IllegalStateException.class, "inputBuffer before prepare", () -> it.inputBuffer(0), "prepare() first");
        Checks.expectThrows(
            IllegalStateException.class, "setInput before prepare", () -> it.setInput(0, new float[300]), "prepare");
        it.prepare();
        int n = m.inputSize(0);
        Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "an input of the wrong length",
            ()
                -> it.setInput(0, new float[n - 1]),
            "input 0 'input' [1, 10, 10, 3] holds " + n + " floats, the array has " + (n - 1));
        Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "an output array of the wrong length",
            () -> it.getOutput(0, new float[1]), "output 0 'probs'", "holds 10 floats, the array has 1");
        Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "an input index out of range",
            () -> it.setInput(1, new float[n]), "input index 1 is out of range: the model has 1 input");
        Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "an output index out of range",
            () -> it.outputBuffer(-1), "output index -1 is out of range");
        Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "a model input index out of range",
            () -> m.inputShape(3), "input index 3 is out of range");
        Checks.expectThrows(NullPointerException.class, "setInput(null)", () -> it.setInput(0, null), "data");
        Checks.expectThrows(NullPointerException.class, "getOutput(null)", () -> it.getOutput(0, null), "out");
        FloatBuffer in = it.inputBuffer(0);
        Checks.check(in.capacity() == n && in.order() == ByteOrder.nativeOrder() && in.isDirect(),
            "inputBuffer: direct, native order");
        it.setInput(0, new float[n]);
        it.invoke();  // still usable after the rejected calls
      }
    }
  }

  static void testUseAfterClose(String tiny) {
    Model m = Model.fromFile(tiny);
    Interpreter it = new Interpreter(m);
    it.prepare();
    FloatBuffer in = it.inputBuffer(0);
    FloatBuffer out = it.outputBuffer(0);
    it.close();
    it.close();  // idempotent
    Checks.check(it.isClosed(), "isClosed after close");
    for (Map.Entry<String, Checks.Body> e : interpreterCalls(it).entrySet()) {
      Checks.expectThrows(
          IllegalStateException.class, "Interpreter." + e.getKey() + " after close", e.getValue(), "closed");
    }
    in.put(0, 1.5f);  // views held past close(): still valid (Java-owned) memory, never a crash
    Checks.check(in.get(0) == 1.5f && out.capacity() == 10, "buffers held after close stay usable memory");
    m.close();
    m.close();
    Checks.check(m.isClosed(), "Model.isClosed after close");
    Checks.Body[] modelCalls = {m::numInputs, m::numOutputs,
        ()
            -> m.inputShape(0),
        ()
            -> m.inputName(0),
        m::labels,
        ()
            -> m.label(0),
        m::mean, m::std, m::channelOrder, m::architecture, m::inputHeight, m::weightsBytes,
        () -> new Interpreter(m), () -> ImageInput.fromArgb(m, new int[64], 8, 8, new float[192])};
    for (int i = 0; i < modelCalls.length; ++i) {
      Checks.expectThrows(
          IllegalStateException.class, "Model call " + i + " after close", modelCalls[i], "the model is closed");
    }
  }

  private static final class NativeCall {
    final String name;
    final Class<? extends Throwable> type;
    final Object[] args;

    NativeCall(String name, Class<? extends Throwable> type, Object... args) {
      this.name = name;
      this.type = type;
      this.args = args;
    }
  }

  private static Map<String, Checks.Body> interpreterCalls(Interpreter it) {
    Map<String, Checks.Body> calls = new HashMap<>();
    calls.put("invoke", it::invoke);
    calls.put("prepare", it::prepare);
    calls.put("arenaBytes", it::arenaBytes);
    calls.put("setInput", () -> it.setInput(0, new float[300]));
    calls.put("getOutput", () -> it.getOutput(0));
    calls.put("inputBuffer", () -> it.inputBuffer(0));
    calls.put("outputBuffer", () -> it.outputBuffer(0));
    calls.put("numInputs", it::numInputs);
    calls.put("inputShape", () -> it.inputShape(0));
    calls.put("inputIndex", () -> it.inputIndex("input"));
    calls.put("ImageInput", () -> ImageInput.fromArgb(it, 0, new int[100], 10, 10));
    return calls;
  }

  /** The native entry points check handles and buffers themselves too (called here by reflection). */
  static void testNativeArgumentChecks(String tiny) throws Exception {
    Class<?> lib = Class.forName("org.incept.NativeLib");
    List<NativeCall> calls = Arrays.asList(new NativeCall("invoke", IllegalStateException.class, null, 0L),
        new NativeCall("arenaBytesRequired", IllegalStateException.class, null, 0L),
        new NativeCall("modelInts", IllegalStateException.class, null, 0L),
        new NativeCall("createInterpreter", IllegalStateException.class, null, 0L, "auto", 1, 0L, true),
        new NativeCall("loadBuffer", IllegalArgumentException.class, ByteBuffer.allocate(16), 0, 16),
        new NativeCall("loadArray", IndexOutOfBoundsException.class, new byte[16], 8, 9),
        new NativeCall("loadFile", NullPointerException.class, (Object) null));
    for (NativeCall c : calls) {
      Method method = null;
      for (Method candidate : lib.getDeclaredMethods()) {
        if (candidate.getName().equals(c.name)) {
          method = candidate;
        }
      }
      method.setAccessible(true);
      final Method call = method;
      Checks.expectThrows(c.type, "NativeLib." + c.name + " with a bad argument", () -> {
        try {
          call.invoke(null, c.args);
        } catch (InvocationTargetException ex) {
          throw(Exception) ex.getCause();
        }
      });
    }
    try (Model m = Model.fromFile(tiny); Interpreter it = new Interpreter(m)) {
      Method handle = null;
      Method prepare = null;
      for (Method candidate : lib.getDeclaredMethods()) {
        if (candidate.getName().equals("prepare")) {
          prepare = candidate;
        }
      }
      java.lang.reflect.Field resource = Interpreter.class.getDeclaredField("resource");
      resource.setAccessible(true);
      Object res = resource.get(it);
      handle = res.getClass().getDeclaredMethod("handle");
      handle.setAccessible(true);
      long h = (Long) handle.invoke(res);
      prepare.setAccessible(true);
      final Method p = prepare;
      Checks.expectThrows(IllegalArgumentException.class, "NativeLib.prepare with a heap arena", () -> {
        try {
          p.invoke(null, it, h, ByteBuffer.allocate(1 << 20));
        } catch (InvocationTargetException ex) {
          throw(Exception) ex.getCause();
        }
      }, "direct");
      Checks.expectIncept(InceptException.Code.ARENA_TOO_SMALL, "NativeLib.prepare with a small arena", () -> {
        try {
          p.invoke(null, it, h, ByteBuffer.allocateDirect(16));
        } catch (InvocationTargetException ex) {
          throw(Exception) ex.getCause();
        }
      }, "too small");
      it.prepare();  // the Java path still works afterwards
      Checks.runOnce(it, false);
    }
  }
}
