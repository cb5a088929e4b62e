// SPDX-License-Identifier: Apache-2.0
// java_jni_test, parity with the C++ API: the library's version and backends, every model loaded six
// ways and run on every backend and thread count (outputs equal jni_reference's bit for bit, metadata
// the same), the labelled model's strings, labels and normalisation, and ImageInput.

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.incept.ImageInput;
import org.incept.Incept;
import org.incept.InceptException;
import org.incept.Interpreter;
import org.incept.Layout;
import org.incept.Model;

final class ParityTests {
  private ParityTests() {}

  static void testLibrary(String version) {
    Checks.check(!Incept.version().isEmpty(), "Incept.version() is not empty");
    if (version != null) {
      Checks.check(Incept.version().equals(version), "Incept.version() is " + Incept.version() + ", want " + version);
    }
    List<String> backends = Arrays.asList(Incept.availableBackends());
    Checks.check(backends.size() >= 3 && backends.get(0).equals("auto") && backends.contains("ref")
            && backends.contains("eigen"),
        "auto, ref and eigen are always available: " + backends);
    Checks.check(
        Incept.backendAvailable("xnnpack") == backends.contains("xnnpack"), "backendAvailable agrees with the list");
    Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "backendAvailable of an unknown name",
        () -> Incept.backendAvailable("cuda"), "unknown backend 'cuda'", "auto, ref, eigen, xnnpack or native");
    Checks.expectThrows(
        NullPointerException.class, "backendAvailable(null)", () -> Incept.backendAvailable(null), "backend");
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
    Checks.check(direct.position() == 0 && heap.position() == 5, "fromBuffer leaves the buffer's position alone");

    String name = new File(path).getName();
    boolean first = true;
    for (String backend : Incept.availableBackends()) {
      for (int threads : new int[] {1, 2}) {
        Reference ref = Reference.of(path, backend, threads);
        for (Map.Entry<String, Model> e : loads.entrySet()) {
          Model m = e.getValue();
          String what = name + " " + e.getKey() + " " + backend + "/" + threads;
          if (first) {
            checkMetadata(m, ref, what);
          }
          if (!first && !e.getKey().equals("fromFile")) {
            continue;  // every load path once; every backend and thread count through fromFile
          }
          try (Interpreter it = new Interpreter(m, new Interpreter.Options().setBackend(backend).setThreads(threads))) {
            Checks.check(it.backend().equals(backend) && it.threads() == threads, what + ": options kept");
            it.prepare();
            it.prepare();  // idempotent
            Checks.check(it.arenaBytes() > 0 && it.arenaBytes() == it.arenaBytesRequired(), what + ": arena bytes");
            String diff = Checks.firstDifference(Checks.runOnce(it, false), ref.outputBits);
            Checks.check(diff == null, what + ": outputs equal the C++ API's (setInput/getOutput): " + diff);
            diff = Checks.firstDifference(Checks.runOnce(it, true), ref.outputBits);
            Checks.check(diff == null, what + ": outputs equal the C++ API's (FloatBuffers, second invoke): " + diff);
          }
        }
        first = false;
      }
    }
    for (Model m : loads.values()) {
      m.close();
    }
  }

  private static void checkMetadata(Model m, Reference ref, String what) {
    Checks.check(m.numInputs() == Integer.parseInt(ref.one("inputs")), what + ": numInputs");
    for (String[] f : ref.lines.get("input")) {
      int i = Integer.parseInt(f[1]);
      Checks.check(
          m.inputName(i).equals(Reference.unhex(f[2])), what + ": input name " + i + " '" + m.inputName(i) + "'");
      Checks.check(Arrays.equals(m.inputShape(i), Reference.parseDims(f[3])), what + ": input shape " + i);
      Checks.check(m.inputSize(i) == Checks.product(Reference.parseDims(f[3])), what + ": input size " + i);
    }
    Checks.check(m.numOutputs() == Integer.parseInt(ref.one("outputs")), what + ": numOutputs");
    for (String[] f : ref.lines.get("output")) {
      int i = Integer.parseInt(f[1]);
      Checks.check(m.outputName(i).equals(Reference.unhex(f[2])), what + ": output name " + i);
      Checks.check(Arrays.equals(m.outputShape(i), Reference.parseDims(f[3])), what + ": output shape " + i);
    }
    Checks.check(m.architecture().equals(Reference.unhex(ref.one("architecture"))), what + ": architecture");
    Checks.check(m.producer().equals(Reference.unhex(ref.one("producer"))), what + ": producer");
    String[] size = ref.lines.get("size").get(0);
    Checks.check(m.inputHeight() == Integer.parseInt(size[1]) && m.inputWidth() == Integer.parseInt(size[2]),
        what + ": input size");
    Checks.check(m.channelOrder() == (ref.one("order").equals("1") ? Model.ChannelOrder.BGR : Model.ChannelOrder.RGB),
        what + ": channel order");
    String[] mean = ref.lines.get("mean").get(0);
    String[] std = ref.lines.get("std").get(0);
    for (int c = 0; c < 3; ++c) {
      Checks.check(Float.floatToRawIntBits(m.mean()[c]) == (int) Long.parseLong(mean[c + 1], 16), what + ": mean " + c);
      Checks.check(Float.floatToRawIntBits(m.std()[c]) == (int) Long.parseLong(std[c + 1], 16), what + ": std " + c);
    }
    Checks.check(m.numLabels() == Integer.parseInt(ref.one("labels")), what + ": numLabels");
    if (ref.lines.containsKey("label")) {
      for (String[] f : ref.lines.get("label")) {
        int i = Integer.parseInt(f[1]);
        if (Reference.wellFormed(f[2])) {  // malformed bytes: testLabelledModel says what they become
          Checks.check(m.label(i).equals(Reference.unhex(f[2])),
              what + ": label " + i + " '" + m.label(i) + "' decodes as Java decodes it");
        }
      }
    }
    Checks.check(m.label(-1).isEmpty() && m.label(m.numLabels()).isEmpty(), what + ": label out of range is empty");
    Checks.check(m.weightsBytes() == Long.parseLong(ref.one("weights_bytes")), what + ": weightsBytes");
    Checks.check(
        m.numOps() == Integer.parseInt(ref.one("ops")) && m.numTensors() == Integer.parseInt(ref.one("tensors")),
        what + ": numOps/numTensors");
  }

  static void testLabelledModel(String path) {
    try (Model m = Model.fromFile(path)) {
      Checks.check(m.architecture().equals("jni_test") && m.producer().equals("jni_reference"), "labelled: strings");
      Checks.check(m.channelOrder() == Model.ChannelOrder.BGR, "labelled: BGR");
      Checks.check(Arrays.equals(m.mean(), new float[] {0.5f, 0.25f, 0.125f})
              && Arrays.equals(m.std(), new float[] {0.5f, 0.75f, 2f}),
          "labelled: mean/std");
      Checks.check(m.inputHeight() == 4 && m.inputWidth() == 4, "labelled: input size");
      Checks.check(m.numInputs() == 2 && m.inputName(1).equals("extra_\u00e9"), "labelled: UTF-8 tensor name");
      Checks.check(m.inputIndex("extra_\u00e9") == 1 && m.outputIndex("logits") == 1, "labelled: tensors by name");
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "an unknown input name",
          () -> m.inputIndex("nope"), "the model has no input named 'nope' (it has 2 inputs)");
      Checks.expectThrows(NullPointerException.class, "a null input name", () -> m.outputIndex(null), "name");
      try (Interpreter it = new Interpreter(m)) {
        Checks.check(
            it.inputIndex("image") == 0 && it.outputIndex("probs") == 0, "labelled: interpreter tensors by name");
      }
      Checks.check(m.numOutputs() == 2 && m.outputName(0).equals("probs") && m.outputName(1).equals("logits"),
          "labelled: outputs");
      String[] labels = m.labels();
      Checks.check(labels.length == 4 && labels[0].equals("tabby cat") && labels[1].equals("caf\u00e9 cr\u00e8me"),
          "labelled: labels 0, 1");
      Checks.check(labels[2].equals("\u65e5\u672c\u8a9e \ud83d\udc31"),
          "labelled: a 4-byte UTF-8 emoji becomes a surrogate pair");
      // Unicode's "maximal subpart" practice: one U+FFFD per byte that cannot start or continue a
      // well-formed sequence, one per truncated sequence (e6 97).
      String r = "\ufffd";
      Checks.check(
          labels[3].equals("bad " + r + r + " " + r + r + " " + r + r + r + " " + r + " " + r + r + r + r + " end"),
          "labelled: malformed UTF-8 (ff fe, c0 80, ed a0 80, e6 97, f4 90 80 80) reads as U+FFFD: " + labels[3]);
      labels[0] = "changed";
      Checks.check(m.label(0).equals("tabby cat"), "labelled: labels() is a copy");
      float[] mean = m.mean();
      mean[0] = 9;
      Checks.check(m.mean()[0] == 0.5f, "labelled: mean() is a copy");
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
        int[] bgr = {argb[i] & 0xFF, (argb[i] >> 8) & 0xFF, (argb[i] >> 16) & 0xFF};  // the model is BGR
        for (int c = 0; c < 3; ++c) {
          want[i * 3 + c] = ((float) bgr[c] / 255.0f - mean[c]) / std[c];
        }
      }
      float[] got = new float[w * h * 3];
      ImageInput.fromArgb(m, argb, w, h, got);
      Checks.check(Arrays.equals(got, want), "ImageInput.fromArgb: BGR, (p / 255 - mean) / std, NHWC");
      it.prepare();
      ImageInput.fromArgb(it, 0, argb, w, h);
      float[] inBuffer = new float[w * h * 3];
      it.inputBuffer(0).get(inBuffer);
      Checks.check(Arrays.equals(inBuffer, want), "ImageInput.fromArgb into the interpreter's input 0");
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "ImageInput of the wrong size",
          () -> ImageInput.fromArgb(it, 0, new int[9], 3, 3), "has shape [1, 4, 4, 3]", "needs [1, 3, 3, 3]");
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "ImageInput with too few pixels",
          () -> ImageInput.fromArgb(m, new int[15], 4, 4, new float[48]), "needs 16 pixels", "got 15 pixels");
      Checks.expectThrows(NullPointerException.class, "ImageInput of null pixels",
          () -> ImageInput.fromArgb(m, null, 4, 4, got), "argb");
    }
  }

  /** setInput with Layout.NCHW (PyTorch's order) transposes to NHWC; the default and NHWC copy as is. */
  static void testInputLayout(String path) {
    try (Model m = Model.fromFile(path); Interpreter it = new Interpreter(m)) {
      it.prepare();
      int[] s = it.inputShape(0);
      Checks.check(s.length == 4, "input 0 is 4-D");
      int h = s[1];
      int w = s[2];
      int c = s[3];
      float[] x = new float[s[0] * h * w * c];
      for (int i = 0; i < x.length; ++i) {
        x[i] = i;
      }
      float[] in = new float[x.length];
      it.setInput(0, x, Layout.NCHW);
      it.inputBuffer(0).get(in);
      boolean transposed = true;
      for (int y = 0; y < h; ++y) {
        for (int xx = 0; xx < w; ++xx) {
          for (int ch = 0; ch < c; ++ch) {
            transposed &= in[(y * w + xx) * c + ch] == x[(ch * h + y) * w + xx];
          }
        }
      }
      Checks.check(transposed, "setInput(Layout.NCHW): NHWC (y, x, c) holds NCHW (c, y, x)");
      it.setInput(0, x);
      it.inputBuffer(0).get(in);
      Checks.check(Arrays.equals(in, x), "setInput without a layout copies NHWC as it is");
      it.setInput(0, x, Layout.NHWC);
      it.inputBuffer(0).get(in);
      Checks.check(Arrays.equals(in, x), "setInput(Layout.NHWC) copies as it is");
      Checks.expectThrows(
          NullPointerException.class, "setInput with a null layout", () -> it.setInput(0, x, null), "layout");
      Checks.expectIncept(InceptException.Code.INVALID_ARGUMENT, "setInput(NCHW) of the wrong length",
          () -> it.setInput(0, new float[3], Layout.NCHW), "input 0");
    }
  }
}
