// SPDX-License-Identifier: Apache-2.0
package org.incept;

import java.nio.ByteBuffer;

/**
 * A loaded, fully verified incept model (a {@code .incept} file written by incept-convert).
 *
 * <pre>{@code
 * try (Model model = Model.fromFile(path);
 *      Interpreter it = new Interpreter(model, new Interpreter.Options().setThreads(2))) {
 *   it.prepare();
 *   it.setInput(0, pixels);          // NHWC float32, model.inputShape(0) elements
 *   it.invoke();
 *   float[] logits = it.getOutput(0);
 * }
 * }</pre>
 *
 * <p>Loading checks the whole file (identifier, format version, FlatBuffers verifier, every index,
 * shape and size); a file that fails throws {@link InceptException} naming what is wrong, never a
 * crash. The metadata the converter recorded (input size, mean/std, channel order, labels) is read
 * once at load.
 *
 * <p><b>Threads.</b> A Model is immutable: one Model may be shared by any number of threads and
 * {@link Interpreter}s (each Interpreter used by one thread at a time).
 *
 * <p><b>Lifetime.</b> {@link #close()} releases this object's hold on the native model; an
 * Interpreter created from it keeps the native model (and the bytes it reads) alive until that
 * Interpreter is closed too, so closing a Model early is always safe. After close(), every method
 * but close() throws {@link IllegalStateException}. A Model dropped without close() is released
 * after the garbage collector finds it unreachable; close() releases it at once.
 */
public final class Model implements AutoCloseable {
  /** Channel order of the image input (axis 3 of NHWC). */
  public enum ChannelOrder { RGB, BGR }

  private final NativeResource resource;
  private final String architecture;
  private final String producer;
  private final int inputHeight;
  private final int inputWidth;
  private final int numOps;
  private final int numTensors;
  // Read by ImageInput for an Interpreter, also after close(). Never changed after construction.
  final ChannelOrder channelOrder;
  final float[] mean;
  final float[] std;
  private final long weightsBytes;
  private final String[] labels;
  // Read by Interpreter, which keeps them past close(). Never changed after construction.
  final String[] inputNames;
  final String[] outputNames;
  final int[][] inputShapes;
  final int[][] outputShapes;
  private volatile boolean closed;

  /** Maps the file read-only; weights are read in place from the mapping. */
  public static Model fromFile(String path) {
    if (path == null) {
      throw new NullPointerException("path is null");
    }
    return new Model(NativeLib.loadFile(path));
  }

  /** Copies {@code bytes} (the whole file) into aligned native memory owned by the Model. */
  public static Model fromBytes(byte[] bytes) {
    if (bytes == null) {
      throw new NullPointerException("bytes is null");
    }
    return new Model(NativeLib.loadArray(bytes, 0, bytes.length));
  }

  /**
   * Loads the bytes from the buffer's position to its limit (the position is not changed).
   *
   * <p>A direct buffer whose bytes start 8-byte aligned (ByteBuffer.allocateDirect, a
   * FileChannel.map of the whole file) is read in place, without a copy: the Model then keeps the
   * buffer reachable, and its content must not change while the Model or an Interpreter of it is
   * open. Any other buffer (a heap buffer, or a misaligned slice such as an APK asset mapped at its
   * offset) is copied into aligned native memory first.
   */
  public static Model fromBuffer(ByteBuffer buffer) {
    if (buffer == null) {
      throw new NullPointerException("buffer is null");
    }
    if (buffer.isDirect()) {
      return new Model(NativeLib.loadBuffer(buffer, buffer.position(), buffer.remaining()));
    }
    if (buffer.hasArray()) {
      return new Model(
          NativeLib.loadArray(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining()));
    }
    byte[] copy = new byte[buffer.remaining()];  // a read-only heap buffer: no array access
    buffer.duplicate().get(copy);
    return new Model(NativeLib.loadArray(copy, 0, copy.length));
  }

  private Model(long handle) {
    resource = new NativeResource(this, handle, NativeResource.MODEL);
    try {
      String[] strings = NativeLib.modelStrings(this, handle);
      int[] ints = NativeLib.modelInts(this, handle);
      float[] floats = NativeLib.modelFloats(this, handle);
      architecture = strings[0];
      producer = strings[1];
      inputHeight = ints[2];
      inputWidth = ints[3];
      channelOrder = ints[4] == 1 ? ChannelOrder.BGR : ChannelOrder.RGB;
      numOps = ints[6];
      numTensors = ints[7];
      mean = new float[] {floats[0], floats[1], floats[2]};
      std = new float[] {floats[3], floats[4], floats[5]};
      weightsBytes = NativeLib.modelWeightsBytes(this, handle);
      labels = NativeLib.modelLabels(this, handle);
      inputNames = NativeLib.modelTensorNames(this, handle, false);
      outputNames = NativeLib.modelTensorNames(this, handle, true);
      inputShapes = new int[ints[0]][];
      outputShapes = new int[ints[1]][];
      for (int i = 0; i < inputShapes.length; ++i) {
        inputShapes[i] = NativeLib.modelTensorShape(this, handle, false, i);
      }
      for (int i = 0; i < outputShapes.length; ++i) {
        outputShapes[i] = NativeLib.modelTensorShape(this, handle, true, i);
      }
    } catch (RuntimeException | Error e) {
      resource.free();
      throw e;
    }
  }

  /**
   * Releases this Model's hold on the native model (interpreters created from it keep working).
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    resource.free();
  }

  public boolean isClosed() {
    return closed;
  }

  /** The native handle for a new Interpreter; call with this Model's monitor held. */
  long handleForInterpreter() {
    checkOpen();
    return resource.handle();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the model is closed");
    }
  }

  public int numInputs() {
    checkOpen();
    return inputShapes.length;
  }

  public int numOutputs() {
    checkOpen();
    return outputShapes.length;
  }

  public String inputName(int index) {
    checkOpen();
    return inputNames[checkIndex(index, inputNames.length, "input")];
  }

  public String outputName(int index) {
    checkOpen();
    return outputNames[checkIndex(index, outputNames.length, "output")];
  }

  /**
   * Index of the graph input named {@code name}.
   *
   * @throws InceptException (INVALID_ARGUMENT) when there is none
   */
  public int inputIndex(String name) {
    checkOpen();
    return indexOf(inputNames, name, "input");
  }

  /** Index of the graph output named {@code name} (InceptException when there is none). */
  public int outputIndex(String name) {
    checkOpen();
    return indexOf(outputNames, name, "output");
  }

  /** NHWC dims of graph input {@code index}, e.g. {1, 299, 299, 3}. A new array each call. */
  public int[] inputShape(int index) {
    checkOpen();
    return inputShapes[checkIndex(index, inputShapes.length, "input")].clone();
  }

  /** Dims of graph output {@code index}: [N, C] after a classifier, NHWC otherwise. */
  public int[] outputShape(int index) {
    checkOpen();
    return outputShapes[checkIndex(index, outputShapes.length, "output")].clone();
  }

  /** Floats in graph input {@code index} (the product of its dims). */
  public int inputSize(int index) {
    return product(inputShape(index));
  }

  /** Floats in graph output {@code index}. */
  public int outputSize(int index) {
    return product(outputShape(index));
  }

  public int numOps() {
    checkOpen();
    return numOps;
  }

  public int numTensors() {
    checkOpen();
    return numTensors;
  }

  /** Bytes of weights the model holds (read in place from the file or buffer). */
  public long weightsBytes() {
    checkOpen();
    return weightsBytes;
  }

  /** The network, as the converter recorded it ("inception_v3", "onnx:...", or ""). */
  public String architecture() {
    checkOpen();
    return architecture;
  }

  /** What wrote the file, e.g. "incept-convert 0.1.0" (or ""). */
  public String producer() {
    checkOpen();
    return producer;
  }

  /** Image height the network expects (preprocessing metadata). */
  public int inputHeight() {
    checkOpen();
    return inputHeight;
  }

  /** Image width the network expects (preprocessing metadata). */
  public int inputWidth() {
    checkOpen();
    return inputWidth;
  }

  /**
   * Per-channel mean, in the model's channel order: x = (pixel / 255 - mean[c]) / std[c]. A new
   * array each call.
   */
  public float[] mean() {
    checkOpen();
    return mean.clone();
  }

  /** Per-channel standard deviation (see {@link #mean()}). A new array each call. */
  public float[] std() {
    checkOpen();
    return std.clone();
  }

  public ChannelOrder channelOrder() {
    checkOpen();
    return channelOrder;
  }

  public int numLabels() {
    checkOpen();
    return labels.length;
  }

  /**
   * Class label {@code index}, or "" when out of range or absent. Bytes in the file that are not
   * UTF-8 read as U+FFFD.
   */
  public String label(int index) {
    checkOpen();
    return index >= 0 && index < labels.length ? labels[index] : "";
  }

  /** All class labels (empty when the file has none). A new array each call. */
  public String[] labels() {
    checkOpen();
    return labels.clone();
  }

  static int product(int[] dims) {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    if (n > Integer.MAX_VALUE) {
      throw new InceptException(
          InceptException.Code.UNSUPPORTED, "a tensor of " + n + " floats does not fit a Java array");
    }
    return (int) n;
  }

  static int indexOf(String[] names, String name, String what) {
    if (name == null) {
      throw new NullPointerException("name is null");
    }
    for (int i = 0; i < names.length; ++i) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    throw new InceptException(InceptException.Code.INVALID_ARGUMENT,
        "the model has no " + what + " named '" + name + "' (it has " + names.length + " " + what
            + (names.length == 1 ? "" : "s") + ")");
  }

  static int checkIndex(int index, int count, String what) {
    if (index < 0 || index >= count) {
      throw new InceptException(InceptException.Code.INVALID_ARGUMENT,
          what + " index " + index + " is out of range: the model has " + count + " " + what + (count == 1 ? "" : "s"));
    }
    return index;
  }
}
