// SPDX-License-Identifier: Apache-2.0
package org.incept;

import java.nio.FloatBuffer;

/**
 * An image as a model's input, by the preprocessing its file records (the same formula as
 * incept-classify): for each pixel, in the model's channel order (RGB or BGR),
 * {@code x[c] = (pixel[c] / 255 - mean[c]) / std[c]}, in float32, written NHWC.
 *
 * <p>Pixels are packed ARGB ints, row-major, as {@code android.graphics.Bitmap.getPixels} and
 * {@code java.awt.image.BufferedImage.getRGB} return them (alpha is ignored). Scale the image to the
 * input's width and height first (e.g. {@code Bitmap.createScaledBitmap}).
 */
public final class ImageInput {
  private ImageInput() {}

  /**
   * Writes {@code argb} ({@code height * width} pixels) into {@code out} ({@code height * width * 3}
   * floats), normalised as {@code model} says.
   */
  public static void fromArgb(Model model, int[] argb, int width, int height, float[] out) {
    if (out == null) {
      throw new NullPointerException("out is null");
    }
    if (model == null) {
      throw new NullPointerException("model is null");
    }
    check(argb, width, height, out.length);
    convert(model.mean(), model.std(), model.channelOrder(), argb, FloatBuffer.wrap(out));
  }

  /**
   * Writes the image into graph input {@code index} of a prepared {@code interpreter}, whose shape
   * must be {@code [1, height, width, 3]}.
   */
  public static void fromArgb(Interpreter interpreter, int index, int[] argb, int width, int height) {
    if (interpreter == null) {
      throw new NullPointerException("interpreter is null");
    }
    int[] shape = interpreter.inputShape(index);
    if (shape.length != 4 || shape[0] != 1 || shape[1] != height || shape[2] != width || shape[3] != 3) {
      throw new InceptException(InceptException.Code.INVALID_ARGUMENT,
          "input " + index + " has shape " + java.util.Arrays.toString(shape) + "; a " + width + "x" + height
              + " image needs [1, " + height + ", " + width + ", 3]");
    }
    FloatBuffer in = interpreter.inputBuffer(index);
    check(argb, width, height, in.capacity());
    Model model = interpreter.model();  // possibly closed: its metadata stays readable here
    convert(model.mean, model.std, model.channelOrder, argb, in);
  }

  private static void check(int[] argb, int width, int height, int outFloats) {
    if (argb == null) {
      throw new NullPointerException("argb is null");
    }
    long pixels = (long) width * height;
    if (width <= 0 || height <= 0 || argb.length != pixels || outFloats != pixels * 3) {
      throw new InceptException(InceptException.Code.INVALID_ARGUMENT,
          "a " + width + "x" + height + " image needs " + pixels + " pixels and " + pixels * 3 + " floats; got "
              + argb.length + " pixels and " + outFloats + " floats");
    }
  }

  private static void convert(float[] mean, float[] std, Model.ChannelOrder order, int[] argb, FloatBuffer out) {
    boolean bgr = order == Model.ChannelOrder.BGR;
    float[] px = new float[3];
    for (int p : argb) {
      float r = (p >> 16) & 0xFF;
      float g = (p >> 8) & 0xFF;
      float b = p & 0xFF;
      px[0] = bgr ? b : r;
      px[1] = g;
      px[2] = bgr ? r : b;
      for (int c = 0; c < 3; ++c) {
        out.put((px[c] / 255.0f - mean[c]) / std[c]);
      }
    }
  }
}
