// SPDX-License-Identifier: Apache-2.0
// java_jni_test, lifetimes and threads: a Model closed under live interpreters, a buffer-backed model
// whose buffer is dropped, one Model shared by threads, close() racing invoke(), and objects dropped
// without close() freed by the GC. Incept.liveNativeObjects() counts what is still allocated.

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.incept.Incept;
import org.incept.Interpreter;
import org.incept.Model;

final class LifetimeTests {
  private LifetimeTests() {}

  static void testModelClosedUnderInterpreter(String tiny) throws Exception {
    int[] want = Reference.of(tiny, "auto", 1).outputBits;
    int before = Incept.liveNativeObjects();
    Model m = Model.fromFile(tiny);
    Interpreter a = new Interpreter(m);
    Interpreter b = new Interpreter(m);
    m.close();
    Checks.check(
        Incept.liveNativeObjects() == before + 3, "Model.close() under live interpreters keeps the native model");
    a.prepare();  // prepare after the model was closed: the interpreter still holds its model
    Checks.check(Checks.firstDifference(Checks.runOnce(a, false), want) == null,
        "an interpreter runs after its model was closed");
    Checks.check(a.numInputs() == 1 && Arrays.equals(a.inputShape(0), new int[] {1, 10, 10, 3})
            && a.inputName(0).equals("input"),
        "an interpreter's shapes and names stay readable after model.close()");
    Checks.check(a.model() == m, "model() is the Java Model");
    a.close();
    b.prepare();
    Checks.check(Checks.firstDifference(Checks.runOnce(b, true), want) == null,
        "the second interpreter runs after the first closed");
    b.close();
    Checks.check(Incept.liveNativeObjects() == before, "the native model is freed with its last interpreter");

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
    Checks.check(Checks.firstDifference(Checks.runOnce(c, false), want) == null,
        "a buffer-backed model runs after the buffer and Model were dropped");
    c.close();
    Checks.check(Incept.liveNativeObjects() == before, "the buffer-backed model is freed with its interpreter");
  }

  static void testSharedModelOnThreads(String tiny) throws Exception {
    final String[] backends = Incept.availableBackends();
    final Map<String, int[]> want = new HashMap<>();
    for (String b : backends) {
      want.put(b, Reference.of(tiny, b, 2).outputBits);
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
              String diff = Checks.firstDifference(Checks.runOnce(it, (i & 1) == 0), want.get(backend));
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
    Checks.check(error.get() == null,
        "4 threads, one shared Model, an Interpreter each: outputs equal the C++ API's: " + error.get());
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
        Thread.sleep(1);  // let the worker get going, however loaded the machine is
      }
      it.close();
      worker.join(20000);
      Checks.check(!worker.isAlive(), "the invoking thread ends after close()");
    }
    Checks.check(ended.get() instanceof IllegalStateException && runs.get() >= 3,
        "close() from another thread waits for invoke(); the next call throws IllegalStateException: " + ended.get()
            + " after " + runs.get() + " runs");
  }

  static void testGarbageCollectedHandles(String tiny, int baseline) throws Exception {
    for (int i = 0; i < 40; ++i) {
      Model m = Model.fromFile(tiny);
      Interpreter it = new Interpreter(m);
      it.prepare();
    }
    Checks.check(Incept.liveNativeObjects() >= baseline, "objects dropped without close() are alive until collected");
    for (long deadline = System.nanoTime() + 30_000_000_000L;
         Incept.liveNativeObjects() != baseline && System.nanoTime() < deadline;) {
      System.gc();  // the cleaner thread frees what the collector finds unreachable
      Thread.sleep(10);
    }
    Checks.check(Incept.liveNativeObjects() == baseline,
        "models and interpreters dropped without close() are freed after GC: " + Incept.liveNativeObjects() + " alive");
  }
}
