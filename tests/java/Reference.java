// SPDX-License-Identifier: Apache-2.0
// jni_reference, the C++ side of java_jni_test (tests/java/jni_reference.cc), run as a process: its
// printed metadata and written outputs, read back once per (model, backend, threads).

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What jni_reference printed and wrote for one (model, backend, threads). */
final class Reference {
  private static String tool;
  private static File workDir;
  private static final Map<String, Reference> RUNS = new HashMap<>();

  final Map<String, List<String[]>> lines = new HashMap<>();
  int[] outputBits;

  String one(String key) {
    return lines.get(key).get(0)[1];
  }

  /** `referenceTool` is jni_reference's path; its output files go to `dir`. Call before anything else here. */
  static void setUp(String referenceTool, File dir) {
    tool = referenceTool;
    workDir = dir;
  }

  static String runTool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(tool);
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException(cmd + " exited with " + rc);
    }
    return out;
  }

  /** jni_reference's run of `model`, from the first call for these arguments on. */
  static Reference of(String model, String backend, int threads) throws Exception {
    String key = model + "|" + backend + "|" + threads;
    Reference r = RUNS.get(key);
    if (r != null) {
      return r;
    }
    File out = new File(workDir, "ref_" + RUNS.size() + ".bin");
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
    RUNS.put(key, r);
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

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0;) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
