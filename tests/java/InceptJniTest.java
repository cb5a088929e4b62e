// SPDX-License-Identifier: Apache-2.0
// The org.incept Java binding on a desktop JDK, checked against the C++ API: every model is run by
// jni_reference (C++) and through the binding on the same input, with the same backend and thread
// count, and the outputs must be equal bit for bit; the metadata must read the same. Then the error
// paths (each a specific exception with the runtime's message), lifetimes (a Model closed under a
// live Interpreter, buffers used after close, cleanup by the GC), threads and leaks.
//
// Usage: java -Dincept.jni.path=.../libincept_jni.so -cp incept.jar:incept-jni-test.jar InceptJniTest
//            --reference .../incept_jni_reference --work-dir DIR [--version X.Y.Z] MODEL.incept...
// Exits 0 when every check passes, 1 otherwise (each failure is printed).

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.incept.ImageInput;
import org.incept.Incept;
import org.incept.InceptException;
import org.incept.Interpreter;
import org.incept.Model;

public final class InceptJniTest {
  private static int checks;
  private static int failures;
  private static String referenceTool;
  private static File workDir;
  private static final Map<String, Reference> REFERENCES = new HashMap<>();

  interface Body {
    void run() throws Exception;
  }

  /** What jni_reference printed and wrote for one (model, backend, threads). */
  static final class Reference {
    final Map<String, List<String[]>> lines = new HashMap<>();
    int[] outputBits;

    String one(String key) {
      return lines.get(key).get(0)[1];
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> models = new ArrayList<>();
    String version = null;
    for (int i = 0; i < args.length; ++i) {
      switch (args[i]) {
        case "--reference": referenceTool = args[++i]; break;
        case "--work-dir": workDir = new File(args[++i]); break;
        case "--version": version = args[++i]; break;
        default: models.add(args[i]);
      }
    }
    if (referenceTool == null || workDir == null || models.isEmpty()) {
      System.err.println("usage: InceptJniTest --reference TOOL --work-dir DIR [--version V] MODEL...");
      System.exit(2);
    }
    workDir.mkdirs();
    final int baseline = Incept.liveNativeObjects();
    check(baseline == 0, "no native objects before the first load, got " + baseline);

    testLibrary(version);
    String labelled = new File(workDir, "labelled.incept").getPath();
    runTool("labelled", labelled);
    models.add(labelled);
    for (String m : models) {
      testAgainstCpp(m);
    }
    String tiny = models.get(0);
    testLabelledModel(labelled);
    testImageInput(labelled);
    testLoadErrors(tiny);
    testInterpreterErrors(tiny);
    testUseAfterClose(tiny);
    testNativeArgumentChecks(tiny);
    testModelClosedUnderInterpreter(tiny);
    testSharedModelOnThreads(tiny);
    testCloseDuringInvoke(tiny);
    testGarbageCollectedHandles(tiny, baseline);
    check(Incept.liveNativeObjects() == baseline,
        "every native object is freed at the end: " + Incept.liveNativeObjects() + " alive, want " + baseline);

    System.out.printf("java_jni_test: %d checks, %d failed (%d models, backends %s, JDK %s)%n", checks, failures,
        models.size(), Arrays.toString(Incept.availableBackends()), System.getProperty("java.version"));
    System.exit(failures == 0 ? 0 : 1);
  }

  // ---- checks ----

  static void check(boolean ok, String what) {
    ++checks;
    if (!ok) {
      ++failures;
      System.err.println("FAIL: " + what);
    }
  }

  /** `body` must throw exactly `type` with a message containing each of `needles`. */
  static <T extends Throwable> T expectThrows(Class<T> type, String what, Body body, String... needles) {
    ++checks;
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
      ++failures;
      System.err.println("FAIL: " + what + ": want " + type.getSimpleName() + " mentioning " + Arrays.toString(needles)
          + ", got " + e);
      return null;
    }
    ++failures;
    System.err.println("FAIL: " + what + ": want " + type.getSimpleName() + ", nothing was thrown");
    return null;
  }

  static void expectIncept(InceptException.Code code, String what, Body body, String... needles) {
    InceptException e = expectThrows(InceptException.class, what, body, needles);
    if (e != null) {
      check(e.code() == code, what + ": code " + e.code() + ", want " + code);
      check(e.getMessage().equals(code.runtimeName() + ": " + e.runtimeMessage()) && e.codeName().equals(code.runtimeName()),
          what + ": message is '<code name>: <runtime message>': " + e.getMessage());
    }
  }

  // ---- the C++ reference ----

  static String runTool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(referenceTool);
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException(cmd + " exited with " + rc);
    }
    return out;
  }

  static Reference reference(String model, String backend, int threads) throws Exception {
    String key = model + "|" + backend + "|" + threads;
    Reference r = REFERENCES.get(key);
    if (r != null) {
      return r;
    }
    File out = new File(workDir, "ref_" + REFERENCES.size() + ".bin");
    String text = runTool("run", model, backend, String.valueOf(threads), out.getPath());
    r = new Reference();
    for (String line : text.split("\n")) {
      String[] f = line.split(" ");
      r.lines.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out.toPath())).order(ByteOrder.nativeOrder());
    r.outputBits = new int[b.remaining() / 4];
    for (int i = 0; i < r.outputBits.length; ++i) {
      r.outputBits[i] = b.getInt();
    }
    REFERENCES.put(key, r);
    return r;
  }

  static String unhex(String h) {
    if (h.equals("-")) {
      return "";
    }
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; ++i) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Whether jni_reference's hex string is well-formed UTF-8 (then Java's decoding is the reference). */
  static boolean wellFormed(String h) {
    byte[] b = new byte[h.equals("-") ? 0 : h.length() / 2];
    for (int i = 0; i < b.length; ++i) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  static int[] parseDims(String s) {
    String[] f = s.split(",");
    int[] d = new int[f.length];
    for (int i = 0; i < f.length; ++i) {
      d[i] = Integer.parseInt(f[i]);
    }
    return d;
  }

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

  // ---- tests ----

  static void testLibrary(String version) {
    check(!Incept.version().isEmpty(), "Incept.version() is not empty");
    if (version != null) {
      check(Incept.version().equals(version), "Incept.version() is " + Incept.version() + ", want " + version);
    }
    List<String> backends = Arrays.asList(Incept.availableBackends());
    check(backends.size() >= 3 && backends.get(0).equals("auto") && backends.contains("ref") && backends.contains("eigen"),
        "auto, ref and eigen are always available: " + backends);
    check(Incept.backendAvailable("xnnpack") == backends.contains("xnnpack"), "backendAvailable agrees with the list");
    expectIncept(InceptException.Code.INVALID_ARGUMENT, "backendAvailable of an unknown name",
        () -> Incept.backendAvailable("cuda"), "unknown backend 'cuda'", "auto, ref, eigen or xnnpack");
    expectThrows(NullPointerException.class, "backendAvailable(null)", () -> Incept.backendAvailable(null), "backend");
  }

  /** Loads `path` six ways, compares metadata and outputs with the C++ API for every backend and thread count. */
  static void testAgainstCpp(String path) throws Exception {
    byte[] bytes = Files.readAllBytes(Paths.get(path));
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    ByteBuffer misaligned = ByteBuffer.allocateDirect(bytes.length + 3);
    misaligned.position(3);
    misaligned = misaligned.slice();
    misaligned.put(bytes).flip();
    ByteBuffer heap = ByteBuffer.wrap(new byte[bytes.length + 5], 5, bytes.length);
    heap.slice().put(bytes);
    ByteBuffer mapped;
    try (RandomAccessFile f = new RandomAccessFile(path, "r")) {
      mapped = f.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, f.length());
    }
    Map<String, Model> loads = new HashMap<>();
    loads.put("fromFile", Model.fromFile(path));
    loads.put("fromBytes", Model.fromBytes(bytes));
    loads.put("fromBuffer(direct)", Model.fromBuffer(direct));
    loads.put("fromBuffer(misaligned direct)", Model.fromBuffer(misaligned));
    loads.put("fromBuffer(heap)", Model.fromBuffer(heap));
    loads.put("fromBuffer(mapped)", Model.fromBuffer(mapped));
    check(direct.position() == 0 && heap.position() == 5, "fromBuffer leaves the buffer's position alone");

    String name = new File(path).getName();
    boolean first = true;
    for (String backend : Incept.availableBackends()) {
      for (int threads : new int[] {1, 2}) {
        Reference ref = reference(path, backend, threads);
        for (Map.Entry<String, Model> e : loads.entrySet()) {
          Model m = e.getValue();
          String what = name + " " + e.getKey() + " " + backend + "/" + threads;
          if (first) {
            checkMetadata(m, ref, what);
          }
          if (!first && !e.getKey().equals("fromFile")) {
            continue;   // every load path once; every backend and thread count through fromFile
          }
          try (Interpreter it = new Interpreter(m, new Interpreter.Options().setBackend(backend).setThreads(threads))) {
            check(it.backend().equals(backend) && it.threads() == threads, what + ": options kept");
            it.prepare();
            it.prepare();   // idempotent
            check(it.arenaBytes() > 0 && it.arenaBytes() == it.arenaBytesRequired(), what + ": arena bytes");
            String diff = firstDifference(runOnce(it, false), ref.outputBits);
            check(diff == null, what + ": outputs equal the C++ API's (setInput/getOutput): " + diff);
            diff = firstDifference(runOnce(it, true), ref.outputBits);
            check(diff == null, what + ": outputs equal the C++ API's (FloatBuffers, second invoke): " + diff);
          }
        }
        first = false;
      }
    }
    for (Model m : loads.values()) {
      m.close();
    }
  }

  static void checkMetadata(Model m, Reference ref, String what) {
    check(m.numInputs() == Integer.parseInt(ref.one("inputs")), what + ": numInputs");
    for (String[] f : ref.lines.get("input")) {
      int i = Integer.parseInt(f[1]);
      check(m.inputName(i).equals(unhex(f[2])), what + ": input name " + i + " '" + m.inputName(i) + "'");
      check(Arrays.equals(m.inputShape(i), parseDims(f[3])), what + ": input shape " + i);
      check(m.inputSize(i) == product(parseDims(f[3])), what + ": input size " + i);
    }
    check(m.numOutputs() == Integer.parseInt(ref.one("outputs")), what + ": numOutputs");
    for (String[] f : ref.lines.get("output")) {
      int i = Integer.parseInt(f[1]);
      check(m.outputName(i).equals(unhex(f[2])), what + ": output name " + i);
      check(Arrays.equals(m.outputShape(i), parseDims(f[3])), what + ": output shape " + i);
    }
    check(m.architecture().equals(unhex(ref.one("architecture"))), what + ": architecture");
    check(m.producer().equals(unhex(ref.one("producer"))), what + ": producer");
    String[] size = ref.lines.get("size").get(0);
    check(m.inputHeight() == Integer.parseInt(size[1]) && m.inputWidth() == Integer.parseInt(size[2]), what + ": input size");
    check(m.channelOrder() == (ref.one("order").equals("1") ? Model.ChannelOrder.BGR : Model.ChannelOrder.RGB),
        what + ": channel order");
    String[] mean = ref.lines.get("mean").get(0);
    String[] std = ref.lines.get("std").get(0);
    for (int c = 0; c < 3; ++c) {
      check(Float.floatToRawIntBits(m.mean()[c]) == (int) Long.parseLong(mean[c + 1], 16), what + ": mean " + c);
      check(Float.floatToRawIntBits(m.std()[c]) == (int) Long.parseLong(std[c + 1], 16), what + ": std " + c);
    }
    check(m.numLabels() == Integer.parseInt(ref.one("labels")), what + ": numLabels");
    if (ref.lines.containsKey("label")) {
      for (String[] f : ref.lines.get("label")) {
        int i = Integer.parseInt(f[1]);
        if (wellFormed(f[2])) {   // malformed bytes: testLabelledModel says what they become
          check(m.label(i).equals(unhex(f[2])), what + ": label " + i + " '" + m.label(i) + "' decodes as Java decodes it");
        }
      }
    }
    check(m.label(-1).isEmpty() && m.label(m.numLabels()).isEmpty(), what + ": label out of range is empty");
    check(m.weightsBytes() == Long.parseLong(ref.one("weights_bytes")), what + ": weightsBytes");
    check(m.numOps() == Integer.parseInt(ref.one("ops")) && m.numTensors() == Integer.parseInt(ref.one("tensors")),
        what + ": numOps/numTensors");
  }

  static void testLabelledModel(String path) {
    try (Model m = Model.fromFile(path)) {
      check(m.architecture().equals("jni_test") && m.producer().equals("jni_reference"), "labelled: strings");
      check(m.channelOrder() == Model.ChannelOrder.BGR, "labelled: BGR");
      check(Arrays.equals(m.mean(), new float[] {0.5f, 0.25f, 0.125f}) && Arrays.equals(m.std(), new float[] {0.5f, 0.75f, 2f}),
          "labelled: mean/std");
      check(m.inputHeight() == 4 && m.inputWidth() == 4, "labelled: input size");
      check(m.numInputs() == 2 && m.inputName(1).equals("extra_\u00e9"), "labelled: UTF-8 tensor name");
      check(m.inputIndex("extra_\u00e9") == 1 && m.outputIndex("logits") == 1, "labelled: tensors by name");
      expectIncept(InceptException.Code.INVALID_ARGUMENT, "an unknown input name", () -> m.inputIndex("nope"),
          "the model has no input named 'nope' (it has 2 inputs)");
      expectThrows(NullPointerException.class, "a null input name", () -> m.outputIndex(null), "name");
      try (Interpreter it = new Interpreter(m)) {
        check(it.inputIndex("image") == 0 && it.outputIndex("probs") == 0, "labelled: interpreter tensors by name");
      }
      check(m.numOutputs() == 2 && m.outputName(0).equals("probs") && m.outputName(1).equals("logits"), "labelled: outputs");
      String[] labels = m.labels();
      check(labels.length == 4 && labels[0].equals("tabby cat") && labels[1].equals("caf\u00e9 cr\u00e8me"),
          "labelled: labels 0, 1");
      check(labels[2].equals("\u65e5\u672c\u8a9e \ud83d\udc31"), "labelled: a 4-byte UTF-8 emoji becomes a surrogate pair");
      // Unicode's "maximal subpart" practice: one U+FFFD per byte that cannot start or continue a
      // well-formed sequence, one per truncated sequence (e6 97).
      String r = "\ufffd";
      check(labels[3].equals("bad " + r + r + " " + r + r + " " + r + r + r + " " + r + " " + r + r + r + r + " end"),
          "labelled: malformed UTF-8 (ff fe, c0 80, ed a0 80, e6 97, f4 90 80 80) reads as U+FFFD: " + labels[3]);
      labels[0] = "changed";
      check(m.label(0).equals("tabby cat"), "labelled: labels() is a copy");
      float[] mean = m.mean();
      mean[0] = 9;
      check(m.mean()[0] == 0.5f, "labelled: mean() is a copy");
    }
  }

  static void testImageInput(String path) {
    int w = 4;
    int h = 4;
    int[] argb = new int[w * h];
    for (int i = 0; i < argb.length; ++i) {
      argb[i] = 0xFF000000 | (i * 16 << 16) | ((255 - i * 9) << 8) | (i * 7 + 3);
    }
    try (Model m = Model.fromFile(path); Interpreter it = new Interpreter(m)) {
      float[] mean = m.mean();
      float[] std = m.std();
      float[] want = new float[w * h * 3];
      for (int i = 0; i < argb.length; ++i) {
        int[] bgr = {argb[i] & 0xFF, (argb[i] >> 8) & 0xFF, (argb[i] >> 16) & 0xFF};   // the model is BGR
        for (int c = 0; c < 3; ++c) {
          want[i * 3 + c] = ((float) bgr[c] / 255.0f - mean[c]) / std[c];
        }
      }
      float[] got = new float[w * h * 3];
      ImageInput.fromArgb(m, argb, w, h, got);
      check(Arrays.equals(got, want), "ImageInput.fromArgb: BGR, (p / 255 - mean) / std, NHWC");
      it.prepare();
      ImageInput.fromArgb(it, 0, argb, w, h);
      float[] inBuffer = new float[w * h * 3];
      it.inputBuffer(0).get(inBuffer);
      check(Arrays.equals(inBuffer, want), "ImageInput.fromArgb into the interpreter's input 0");
      expectIncept(InceptException.Code.INVALID_ARGUMENT, "ImageInput of the wrong size",
          () -> ImageInput.fromArgb(it, 0, new int[9], 3, 3), "has shape [1, 4, 4, 3]", "needs [1, 3, 3, 3]");
      expectIncept(InceptException.Code.INVALID_ARGUMENT, "ImageInput with too few pixels",
          () -> ImageInput.fromArgb(m, new int[15], 4, 4, new float[48]), "needs 16 pixels", "got 15 pixels");
      expectThrows(NullPointerException.class, "ImageInput of null pixels", () -> ImageInput.fromArgb(m, null, 4, 4, got), "argb");
    }
  }

  static void testLoadErrors(String tiny) throws Exception {
    expectIncept(InceptException.Code.IO_ERROR, "a missing file", () -> Model.fromFile("/nonexistent/model.incept"),
        "cannot open model file '/nonexistent/model.incept'", "No such file");
    String unicodeMissing = new File(workDir, "mod\u00e8le \ud83d\udc31 missing.incept").getPath();
    expectIncept(InceptException.Code.IO_ERROR, "a missing file with a non-ASCII name", () -> Model.fromFile(unicodeMissing),
        unicodeMissing);
    File unicode = new File(workDir, "mod\u00e8le \ud83d\udc31.incept");
    Files.copy(Paths.get(tiny), unicode.toPath(), StandardCopyOption.REPLACE_EXISTING);
    try (Model m = Model.fromFile(unicode.getPath())) {
      check(m.numInputs() == 1, "a file with a non-ASCII name loads");
    }
    expectIncept(InceptException.Code.IO_ERROR, "a directory", () -> Model.fromFile(workDir.getPath()), "not a regular file");
    expectIncept(InceptException.Code.INVALID_ARGUMENT, "a path with a NUL", () -> Model.fromFile(tiny + "\u0000x"), "NUL");
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    expectIncept(InceptException.Code.INVALID_MODEL, "garbage bytes", () -> Model.fromBytes(garbage), "size prefix");
    ByteBuffer.wrap(garbage).order(ByteOrder.LITTLE_ENDIAN).putInt(0, garbage.length - 4);   // a plausible size prefix
    expectIncept(InceptException.Code.INVALID_MODEL, "garbage bytes behind a size prefix", () -> Model.fromBytes(garbage),
        "INCP");
    File garbageFile = new File(workDir, "garbage.incept");
    Files.write(garbageFile.toPath(), garbage);
    expectIncept(InceptException.Code.INVALID_MODEL, "a garbage file", () -> Model.fromFile(garbageFile.getPath()),
        garbageFile.getPath());
    byte[] good = Files.readAllBytes(Paths.get(tiny));
    for (int n : new int[] {0, 3, 8, 64, good.length / 2, good.length - 1}) {
      byte[] cut = Arrays.copyOf(good, n);
      InceptException e = expectThrows(InceptException.class, "the model cut to " + n + " bytes", () -> Model.fromBytes(cut));
      check(e != null && e.code() == InceptException.Code.INVALID_MODEL && !e.runtimeMessage().isEmpty(),
          "the model cut to " + n + " bytes is an invalid model with a message: " + e);
    }
    for (int i = 0; i < good.length; i += 13) {   // single byte flips: refused or loaded, never a crash
      byte[] flipped = good.clone();
      flipped[i] ^= (byte) 0x5A;
      try (Model m = Model.fromBytes(flipped); Interpreter it = new Interpreter(m)) {
        it.prepare();
        it.invoke();
      } catch (InceptException e) {
        if (e.runtimeMessage().isEmpty()) {
          check(false, "byte flip at " + i + ": an exception without a message");
        }
      }
    }
    check(true, "byte flips: every flipped file refused with a message or run");
    expectThrows(NullPointerException.class, "fromFile(null)", () -> Model.fromFile(null), "path");
    expectThrows(NullPointerException.class, "fromBytes(null)", () -> Model.fromBytes(null), "bytes");
    expectThrows(NullPointerException.class, "fromBuffer(null)", () -> Model.fromBuffer(null), "buffer");
  }

  static void testInterpreterErrors(String tiny) {
    try (Model m = Model.fromFile(tiny)) {
      expectIncept(InceptException.Code.INVALID_ARGUMENT, "an unknown backend",
          () -> new Interpreter(m, new Interpreter.Options().setBackend("cuda")), "unknown backend 'cuda'");
      expectIncept(InceptException.Code.INVALID_ARGUMENT, "threads 0",
          () -> new Interpreter(m, new Interpreter.Options().setThreads(0)), "threads must be >= 1, got 0");
      expectIncept(InceptException.Code.INVALID_ARGUMENT, "a negative arena cap",
          () -> new Interpreter(m, new Interpreter.Options().setMaxArenaBytes(-1)), "maxArenaBytes");
      expectThrows(NullPointerException.class, "new Interpreter(null)", () -> new Interpreter(null), "model");
      expectThrows(NullPointerException.class, "null options", () -> new Interpreter(m, null), "options");
      expectThrows(NullPointerException.class, "a null backend",
          () -> new Interpreter(m, new Interpreter.Options().setBackend(null)), "backend");
      try (Interpreter capped = new Interpreter(m, new Interpreter.Options().setMaxArenaBytes(64))) {
        expectIncept(InceptException.Code.ARENA_TOO_SMALL, "an arena cap below the plan", capped::prepare, "64");
        check(!capped.isPrepared(), "a failed prepare leaves the interpreter unprepared");
      }
      try (Interpreter it = new Interpreter(m)) {
        expectThrows(IllegalStateException.class, "invoke before prepare", it::invoke, "prepare() first");
        expectThrows(IllegalStateException.class, "inputBuffer before prepare", () -> it.inputBuffer(0), "prepare() first");
        expectThrows(IllegalStateException.class, "setInput before prepare", () -> it.setInput(0, new float[300]), "prepare");
        it.prepare();
        int n = m.inputSize(0);
        expectIncept(InceptException.Code.INVALID_ARGUMENT, "an input of the wrong length",
            () -> it.setInput(0, new float[n - 1]), "input 0 'input' [1, 10, 10, 3] holds " + n + " floats, the array has " + (n - 1));
        expectIncept(InceptException.Code.INVALID_ARGUMENT, "an output array of the wrong length",
            () -> it.getOutput(0, new float[1]), "output 0 'probs'", "holds 10 floats, the array has 1");
        expectIncept(InceptException.Code.INVALID_ARGUMENT, "an input index out of range",
            () -> it.setInput(1, new float[n]), "input index 1 is out of range: the model has 1 input");
        expectIncept(InceptException.Code.INVALID_ARGUMENT, "an output index out of range",
            () -> it.outputBuffer(-1), "output index -1 is out of range");
        expectIncept(InceptException.Code.INVALID_ARGUMENT, "a model input index out of range",
            () -> m.inputShape(3), "input index 3 is out of range");
        expectThrows(NullPointerException.class, "setInput(null)", () -> it.setInput(0, null), "data");
        expectThrows(NullPointerException.class, "getOutput(null)", () -> it.getOutput(0, null), "out");
        FloatBuffer in = it.inputBuffer(0);
        check(in.capacity() == n && in.order() == ByteOrder.nativeOrder() && in.isDirect(), "inputBuffer: direct, native order");
        it.setInput(0, new float[n]);
        it.invoke();   // still usable after the rejected calls
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
    it.close();   // idempotent
    check(it.isClosed(), "isClosed after close");
    for (Map.Entry<String, Body> e : interpreterCalls(it).entrySet()) {
      expectThrows(IllegalStateException.class, "Interpreter." + e.getKey() + " after close", e.getValue(), "closed");
    }
    in.put(0, 1.5f);   // views held past close(): still valid (Java-owned) memory, never a crash
    check(in.get(0) == 1.5f && out.capacity() == 10, "buffers held after close stay usable memory");
    m.close();
    m.close();
    check(m.isClosed(), "Model.isClosed after close");
    Body[] modelCalls = {m::numInputs, m::numOutputs, () -> m.inputShape(0), () -> m.inputName(0), m::labels,
        () -> m.label(0), m::mean, m::std, m::channelOrder, m::architecture, m::inputHeight, m::weightsBytes,
        () -> new Interpreter(m), () -> ImageInput.fromArgb(m, new int[64], 8, 8, new float[192])};
    for (int i = 0; i < modelCalls.length; ++i) {
      expectThrows(IllegalStateException.class, "Model call " + i + " after close", modelCalls[i], "the model is closed");
    }
  }

  static final class NativeCall {
    final String name;
    final Class<? extends Throwable> type;
    final Object[] args;

    NativeCall(String name, Class<? extends Throwable> type, Object... args) {
      this.name = name;
      this.type = type;
      this.args = args;
    }
  }

  static Map<String, Body> interpreterCalls(Interpreter it) {
    Map<String, Body> calls = new HashMap<>();
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
    List<NativeCall> calls = Arrays.asList(
        new NativeCall("invoke", IllegalStateException.class, null, 0L),
        new NativeCall("arenaBytesRequired", IllegalStateException.class, null, 0L),
        new NativeCall("modelInts", IllegalStateException.class, null, 0L),
        new NativeCall("createInterpreter", IllegalStateException.class, null, 0L, "auto", 1, 0L),
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
      expectThrows(c.type, "NativeLib." + c.name + " with a bad argument", () -> {
        try {
          call.invoke(null, c.args);
        } catch (InvocationTargetException ex) {
          throw (Exception) ex.getCause();
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
      expectThrows(IllegalArgumentException.class, "NativeLib.prepare with a heap arena", () -> {
        try {
          p.invoke(null, it, h, ByteBuffer.allocate(1 << 20));
        } catch (InvocationTargetException ex) {
          throw (Exception) ex.getCause();
        }
      }, "direct");
      expectIncept(InceptException.Code.ARENA_TOO_SMALL, "NativeLib.prepare with a small arena", () -> {
        try {
          p.invoke(null, it, h, ByteBuffer.allocateDirect(16));
        } catch (InvocationTargetException ex) {
          throw (Exception) ex.getCause();
        }
      }, "too small");
      it.prepare();   // the Java path still works afterwards
      runOnce(it, false);
    }
  }

  static void testModelClosedUnderInterpreter(String tiny) throws Exception {
    int[] want = reference(tiny, "auto", 1).outputBits;
    int before = Incept.liveNativeObjects();
    Model m = Model.fromFile(tiny);
    Interpreter a = new Interpreter(m);
    Interpreter b = new Interpreter(m);
    m.close();
    check(Incept.liveNativeObjects() == before + 3, "Model.close() under live interpreters keeps the native model");
    a.prepare();   // prepare after the model was closed: the interpreter still holds its model
    check(firstDifference(runOnce(a, false), want) == null, "an interpreter runs after its model was closed");
    check(a.numInputs() == 1 && Arrays.equals(a.inputShape(0), new int[] {1, 10, 10, 3}) && a.inputName(0).equals("input"),
        "an interpreter's shapes and names stay readable after model.close()");
    check(a.model() == m, "model() is the Java Model");
    a.close();
    b.prepare();
    check(firstDifference(runOnce(b, true), want) == null, "the second interpreter runs after the first closed");
    b.close();
    check(Incept.liveNativeObjects() == before, "the native model is freed with its last interpreter");

    // A direct buffer read in place: the binding pins it, so dropping every Java reference is safe.
    byte[] bytes = Files.readAllBytes(Paths.get(tiny));
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    Model fromBuffer = Model.fromBuffer(direct);
    Interpreter c = new Interpreter(fromBuffer);
    direct = null;
    fromBuffer.close();
    fromBuffer = null;
    for (int i = 0; i < 5; ++i) {
      System.gc();
      Thread.sleep(10);
    }
    c.prepare();
    check(firstDifference(runOnce(c, false), want) == null, "a buffer-backed model runs after the buffer and Model were dropped");
    c.close();
    check(Incept.liveNativeObjects() == before, "the buffer-backed model is freed with its interpreter");
  }

  static void testSharedModelOnThreads(String tiny) throws Exception {
    final String[] backends = Incept.availableBackends();
    final Map<String, int[]> want = new HashMap<>();
    for (String b : backends) {
      want.put(b, reference(tiny, b, 2).outputBits);
    }
    final AtomicReference<String> error = new AtomicReference<>();
    try (Model m = Model.fromFile(tiny)) {
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; ++t) {
        final String backend = backends[t % backends.length];
        threads[t] = new Thread(() -> {
          try (Interpreter it = new Interpreter(m, new Interpreter.Options().setBackend(backend).setThreads(2))) {
            it.prepare();
            for (int i = 0; i < 25; ++i) {
              String diff = firstDifference(runOnce(it, (i & 1) == 0), want.get(backend));
              if (diff != null) {
                error.compareAndSet(null, backend + " run " + i + ": " + diff);
              }
            }
          } catch (Throwable e) {
            error.compareAndSet(null, e.toString());
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    check(error.get() == null, "4 threads, one shared Model, an Interpreter each: outputs equal the C++ API's: " + error.get());
  }

  static void testCloseDuringInvoke(String tiny) throws Exception {
    final AtomicReference<Throwable> ended = new AtomicReference<>();
    final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    try (Model m = Model.fromFile(tiny)) {
      final Interpreter it = new Interpreter(m, new Interpreter.Options().setThreads(2));
      it.prepare();
      it.setInput(0, new float[m.inputSize(0)]);
      Thread worker = new Thread(() -> {
        try {
          while (true) {
            it.invoke();
            it.getOutput(0);
            runs.incrementAndGet();
          }
        } catch (Throwable e) {
          ended.set(e);
        }
      });
      worker.start();
      for (long deadline = System.nanoTime() + 20_000_000_000L; runs.get() < 3 && System.nanoTime() < deadline;) {
        Thread.sleep(1);   // let the worker get going, however loaded the machine is
      }
      it.close();
      worker.join(20000);
      check(!worker.isAlive(), "the invoking thread ends after close()");
    }
    check(ended.get() instanceof IllegalStateException && runs.get() >= 3,
        "close() from another thread waits for invoke(); the next call throws IllegalStateException: " + ended.get()
            + " after " + runs.get() + " runs");
  }

  static void testGarbageCollectedHandles(String tiny, int baseline) throws Exception {
    for (int i = 0; i < 40; ++i) {
      Model m = Model.fromFile(tiny);
      Interpreter it = new Interpreter(m);
      it.prepare();
    }
    check(Incept.liveNativeObjects() >= baseline, "objects dropped without close() are alive until collected");
    for (long deadline = System.nanoTime() + 30_000_000_000L;
         Incept.liveNativeObjects() != baseline && System.nanoTime() < deadline;) {
      System.gc();   // the cleaner thread frees what the collector finds unreachable
      Thread.sleep(10);
    }
    check(Incept.liveNativeObjects() == baseline,
        "models and interpreters dropped without close() are freed after GC: " + Incept.liveNativeObjects() + " alive");
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0;) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
