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
//
// This file parses the arguments, runs the parts in order and prints the summary. The parts:
// ParityTests (against jni_reference), ErrorTests, LifetimeTests; Checks counts and asserts, and
// Reference runs jni_reference.

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.incept.Incept;

public final class InceptJniTest {
  private InceptJniTest() {}

  public static void main(String[] args) throws Exception {
    List<String> models = new ArrayList<>();
    String version = null;
    String referenceTool = null;
    File workDir = null;
    for (int i = 0; i < args.length; ++i) {
      switch (args[i]) {
        case "--reference":
          referenceTool = args[++i];
          break;
        case "--work-dir":
          workDir = new File(args[++i]);
          break;
        case "--version":
          version = args[++i];
          break;
        default:
          models.add(args[i]);
      }
    }
    if (referenceTool == null || workDir == null || models.isEmpty()) {
      System.err.println("usage: InceptJniTest --reference TOOL --work-dir DIR [--version V] MODEL...");
      System.exit(2);
    }
    workDir.mkdirs();
    Reference.setUp(referenceTool, workDir);
    final int baseline = Incept.liveNativeObjects();
    Checks.check(baseline == 0, "no native objects before the first load, got " + baseline);

    ParityTests.testLibrary(version);
    String labelled = new File(workDir, "labelled.incept").getPath();
    Reference.runTool("labelled", labelled);
    models.add(labelled);
    for (String m : models) {
      ParityTests.testAgainstCpp(m);
    }
    String tiny = models.get(0);
    ParityTests.testLabelledModel(labelled);
    ParityTests.testImageInput(labelled);
    ParityTests.testInputLayout(labelled);
    ErrorTests.testLoadErrors(tiny, workDir);
    ErrorTests.testInterpreterErrors(tiny);
    ErrorTests.testUseAfterClose(tiny);
    ErrorTests.testNativeArgumentChecks(tiny);
    LifetimeTests.testModelClosedUnderInterpreter(tiny);
    LifetimeTests.testSharedModelOnThreads(tiny);
    LifetimeTests.testCloseDuringInvoke(tiny);
    LifetimeTests.testGarbageCollectedHandles(tiny, baseline);
    Checks.check(Incept.liveNativeObjects() == baseline,
        "every native object is freed at the end: " + Incept.liveNativeObjects() + " alive, want " + baseline);

    System.out.printf("java_jni_test: %d checks, %d failed (%d models, backends %s, JDK %s)%n", Checks.count(),
        Checks.failed(), models.size(), Arrays.toString(Incept.availableBackends()),
        System.getProperty("java.version"));
    System.exit(Checks.failed() == 0 ? 0 : 1);
  }
}
