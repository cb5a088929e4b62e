// SPDX-License-Identifier: Apache-2.0
package org.incept;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Runs a {@link Model}. All memory is decided in {@link #prepare()}: shapes, the memory plan, kernel
 * setup and one arena, allocated once; {@link #invoke()} allocates nothing.
 *
 * <pre>{@code
 * Interpreter it = new Interpreter(model, new Interpreter.Options().setThreads(4));
 * it.prepare();
 * it.setInput(0, input);               // NHWC; or write it.inputBuffer(0) directly
 * it.setInput(0, xNchw, Layout.NCHW);  // a PyTorch-ordered array, transposed on the copy
 * it.invoke();
 * float[] out = it.getOutput(0);       // or read it.outputBuffer(0)
 * it.close();
 * }</pre>
 *
 * <p>Tensors are float32, NHWC for images ({@code [1, H, W, 3]}), {@code [N, C]} after a
 * classifier. Inputs keep their values across invokes.
 *
 * <p><b>Threads.</b> An Interpreter is used by one thread at a time (like the C++ one); run
 * several Interpreters, each on its own thread, to run in parallel: they may share one Model.
 * {@link Options#setThreads} gives this Interpreter its own worker pool used inside invoke().
 * The methods are synchronized, so a close() from another thread waits for a running invoke() to
 * end instead of freeing memory under it; the buffers from {@link #inputBuffer}/{@link
 * #outputBuffer} are not guarded this way.
 *
 * <p><b>Lifetime.</b> The Interpreter keeps its Model's native data alive (closing the Model
 * first is safe). {@link #close()} frees the native interpreter; it is idempotent, and every other
 * method then throws {@link IllegalStateException}. The arena is Java memory (a direct
 * ByteBuffer, about 9 MiB for Inception-v3; on Android it counts toward the app's Java heap):
 * input/output buffers still held after close() stay valid memory, merely detached.
 * An Interpreter dropped without close() is freed after the garbage collector finds it
 * unreachable; close() frees it at once.
 *
 * <p><b>Errors.</b> {@link InceptException} for what the runtime rejects (backend name, thread
 * count, arena cap, wrong input length); {@link IllegalStateException} for a closed or unprepared
 * Interpreter; {@link NullPointerException} for null arguments.
 */
public final class Interpreter implements AutoCloseable {
  /** Interpreter settings; the setters return this for chaining. */
  public static final class Options {
    private int threads = 1;
    private String backend = "auto";
    private long maxArenaBytes = 0;
    private boolean winograd = true;

    /** Worker threads inside invoke(): 1 (default) runs everything on the calling thread. */
    public Options setThreads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * "auto" (default: per op, the fastest kernel that computes it exactly), or "native" (incept's
     * own SIMD kernels), "xnnpack", "eigen", "ref" as the first choice for every op (ops it lacks run on ref). See
     * {@link Incept#availableBackends()}.
     */
    public Options setBackend(String backend) {
      this.backend = backend;
      return this;
    }

    /** A cap on the arena: prepare() refuses (ARENA_TOO_SMALL) a plan over it. 0: no cap. */
    public Options setMaxArenaBytes(long maxArenaBytes) {
      this.maxArenaBytes = maxArenaBytes;
      return this;
    }

    /**
     * Winograd convolutions where they are faster (default true); false runs every conv direct, for
     * memory-tight devices (Winograd's transformed weights take more bytes).
     */
    public Options setWinograd(boolean winograd) {
      this.winograd = winograd;
      return this;
    }

    public int threads() {
      return threads;
    }

    public boolean winograd() {
      return winograd;
    }

    public String backend() {
      return backend;
    }

    public long maxArenaBytes() {
      return maxArenaBytes;
    }
  }

  private static final int ARENA_ALIGNMENT = 64;

  private final Model model;
  private final NativeResource resource;
  // The model's graph inputs and outputs, kept here so they stay readable after model.close().
  private final String[] inputNames;
  private final String[] outputNames;
  private final int[][] inputShapes;
  private final int[][] outputShapes;
  private final String backend;
  private final int threads;
  private boolean closed;
  private ByteBuffer arena;  // null until prepared
  private FloatBuffer[] inputs;
  private FloatBuffer[] outputs;
  private long arenaBytes = -1;

  public Interpreter(Model model) {
    this(model, new Options());
  }

  /**
   * @throws InceptException (INVALID_ARGUMENT) for an unknown backend name, threads &lt; 1 or a
   *     negative arena cap
   * @throws IllegalStateException if the model is closed
   */
  public Interpreter(Model model, Options options) {
    if (model == null) {
      throw new NullPointerException("model is null");
    }
    if (options == null) {
      throw new NullPointerException("options is null");
    }
    if (options.backend == null) {
      throw new NullPointerException("options.backend is null");
    }
    this.model = model;
    this.backend = options.backend;
    this.threads = options.threads;
    this.inputNames = model.inputNames;
    this.outputNames = model.outputNames;
    this.inputShapes = model.inputShapes;
    this.outputShapes = model.outputShapes;
    long handle;
    synchronized (model) {  // against a concurrent model.close()
      handle = NativeLib.createInterpreter(model, model.handleForInterpreter(), options.backend, options.threads,
          options.maxArenaBytes, options.winograd);
    }
    resource = new NativeResource(this, handle, NativeResource.INTERPRETER);
  }

  /** The Model this Interpreter runs (possibly closed since: the Interpreter still runs it). */
  public Model model() {
    return model;
  }

  public String backend() {
    return backend;
  }

  public int threads() {
    return threads;
  }

  /**
   * Shape inference and the memory plan: the arena bytes prepare() will use (without the up to 63
   * bytes of alignment slack). Throws what prepare() would for a model over the arena cap.
   */
  public synchronized long arenaBytesRequired() {
    long h = handle();
    if (arenaBytes < 0) {
      arenaBytes = NativeLib.arenaBytesRequired(this, h);
    }
    return arenaBytes;
  }

  /** The arena bytes of the plan (after prepare(), or arenaBytesRequired()). */
  public synchronized long arenaBytes() {
    return arenaBytesRequired();
  }

  /**
   * Plans memory, sets up the kernels (weight packing) and allocates the arena, once. Calling it
   * again does nothing.
   */
  public synchronized void prepare() {
    long h = handle();
    if (arena != null) {
      return;
    }
    long need = arenaBytesRequired();
    if (need > Integer.MAX_VALUE - ARENA_ALIGNMENT) {
      throw new InceptException(InceptException.Code.UNSUPPORTED,
          "the plan needs an arena of " + need + " bytes, more than a Java ByteBuffer holds (2 GiB)");
    }
    ByteBuffer buffer = ByteBuffer.allocateDirect((int) need + ARENA_ALIGNMENT - 1);
    NativeLib.prepare(this, h, buffer);
    FloatBuffer[] in = new FloatBuffer[inputShapes.length];
    FloatBuffer[] out = new FloatBuffer[outputShapes.length];
    for (int i = 0; i < in.length; ++i) {
      in[i] = view(buffer, NativeLib.tensorSpan(this, h, false, i));
    }
    for (int i = 0; i < out.length; ++i) {
      out[i] = view(buffer, NativeLib.tensorSpan(this, h, true, i));
    }
    arena = buffer;
    inputs = in;
    outputs = out;
  }

  public synchronized boolean isPrepared() {
    return arena != null;
  }

  public synchronized int numInputs() {
    handle();
    return inputShapes.length;
  }

  public synchronized int numOutputs() {
    handle();
    return outputShapes.length;
  }

  public synchronized String inputName(int index) {
    handle();
    return inputNames[Model.checkIndex(index, inputNames.length, "input")];
  }

  public synchronized String outputName(int index) {
    handle();
    return outputNames[Model.checkIndex(index, outputNames.length, "output")];
  }

  /** Index of the input named {@code name} (InceptException when there is none). */
  public synchronized int inputIndex(String name) {
    handle();
    return Model.indexOf(inputNames, name, "input");
  }

  /** Index of the output named {@code name} (InceptException when there is none). */
  public synchronized int outputIndex(String name) {
    handle();
    return Model.indexOf(outputNames, name, "output");
  }

  /** NHWC dims of input {@code index}. A new array each call. */
  public synchronized int[] inputShape(int index) {
    handle();
    return inputShapes[Model.checkIndex(index, inputShapes.length, "input")].clone();
  }

  /** Dims of output {@code index}. A new array each call. */
  public synchronized int[] outputShape(int index) {
    handle();
    return outputShapes[Model.checkIndex(index, outputShapes.length, "output")].clone();
  }

  /**
   * Input {@code index} as a native-order FloatBuffer over the arena (position 0, capacity = its
   * floats), NHWC (channels last): write it, then invoke(). A new view each call; valid until close().
   */
  public synchronized FloatBuffer inputBuffer(int index) {
    checkPrepared();
    return inputs[Model.checkIndex(index, inputs.length, "input")].duplicate();
  }

  /** Output {@code index} as a FloatBuffer over the arena; read it after invoke(). */
  public synchronized FloatBuffer outputBuffer(int index) {
    checkPrepared();
    return outputs[Model.checkIndex(index, outputs.length, "output")].duplicate();
  }

  /**
   * Copies {@code data} into input {@code index} as it is: NHWC, channels last ({@code [1, H, W, 3]} for
   * an image). A PyTorch-ordered (NCHW) array goes through {@link #setInput(int, float[], Layout)}.
   *
   * @throws InceptException (INVALID_ARGUMENT) unless data.length is the input's float count
   */
  public synchronized void setInput(int index, float[] data) {
    setInput(index, data, Layout.NHWC);
  }

  /**
   * Copies {@code data} into input {@code index}, read in {@code layout} order: {@link Layout#NHWC} as it
   * is, {@link Layout#NCHW} ({@code [N, C, H, W]}, PyTorch's) transposed to NHWC on the copy. An input
   * that is not 4-D is copied as it is.
   *
   * @throws InceptException (INVALID_ARGUMENT) unless data.length is the input's float count
   */
  public synchronized void setInput(int index, float[] data, Layout layout) {
    if (data == null) {
      throw new NullPointerException("data is null");
    }
    if (layout == null) {
      throw new NullPointerException("layout is null");
    }
    checkPrepared();
    int i = Model.checkIndex(index, inputs.length, "input");
    FloatBuffer b = inputs[i].duplicate();
    checkLength("input", index, b.capacity(), data.length);
    int[] s = inputShapes[i];
    if (layout == Layout.NHWC || s.length != 4) {
      b.put(data);
      return;
    }
    int n = s[0], h = s[1], w = s[2], c = s[3];
    for (int bi = 0; bi < n; ++bi) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          for (int ch = 0; ch < c; ++ch) {
            b.put(data[((bi * c + ch) * h + y) * w + x]);  // NHWC (bi, y, x, ch) reads NCHW (bi, ch, y, x)
          }
        }
      }
    }
  }

  /** Copies output {@code index} into {@code out}, whose length must be the output's float count. */
  public synchronized void getOutput(int index, float[] out) {
    if (out == null) {
      throw new NullPointerException("out is null");
    }
    checkPrepared();
    FloatBuffer b = outputs[Model.checkIndex(index, outputs.length, "output")].duplicate();
    checkLength("output", index, b.capacity(), out.length);
    b.get(out);
  }

  /** Output {@code index} in a new array. */
  public synchronized float[] getOutput(int index) {
    checkPrepared();
    float[] out = new float[outputs[Model.checkIndex(index, outputs.length, "output")].capacity()];
    getOutput(index, out);
    return out;
  }

  /** Runs every op once. Allocates nothing. */
  public synchronized void invoke() {
    long h = handle();
    checkPrepared();
    NativeLib.invoke(this, h);
  }

  /** Frees the native interpreter (the arena stays with the GC). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    inputs = null;
    outputs = null;
    arena = null;
    resource.free();
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  private long handle() {
    if (closed) {
      throw new IllegalStateException("the interpreter is closed");
    }
    return resource.handle();
  }

  private void checkPrepared() {
    handle();
    if (arena == null) {
      throw new IllegalStateException("the interpreter is not prepared: call prepare() first");
    }
  }

  private void checkLength(String what, int index, int want, int got) {
    if (want != got) {
      boolean input = what.equals("input");
      String name = input ? inputNames[index] : outputNames[index];
      int[] shape = input ? inputShapes[index] : outputShapes[index];
      throw new InceptException(InceptException.Code.INVALID_ARGUMENT,
          what + " " + index + " '" + name + "' " + java.util.Arrays.toString(shape) + " holds " + want
              + " floats, the array has " + got);
    }
  }

  private static FloatBuffer view(ByteBuffer arena, long[] span) {
    ByteBuffer b = arena.duplicate();
    b.limit((int) (span[0] + span[1]));  // limit first: the span may start past the old position
    b.position((int) span[0]);
    return b.slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
