// SPDX-License-Identifier: Apache-2.0
package org.incept.sample;

import android.app.Activity;
import android.content.res.AssetManager;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.os.Bundle;
import android.os.SystemClock;
import android.util.Log;
import android.widget.ImageView;
import android.widget.LinearLayout;
import android.widget.TextView;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.incept.ImageInput;
import org.incept.Incept;
import org.incept.InceptException;
import org.incept.Interpreter;
import org.incept.Model;

/**
 * Loads assets/model.incept, classifies a sample image from the assets with the model's own
 * preprocessing (input size, mean/std, channel order, all read from the file) and shows the top 5.
 *
 * <p>All incept calls run on one background thread: an Interpreter is used by one thread at a
 * time, and loading plus prepare() is work to keep off the UI thread.
 */
public final class MainActivity extends Activity {
  private static final String TAG = "incept-sample";
  private static final String MODEL_ASSET = "model.incept";
  private static final int TOP_K = 5;

  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private Model model;  // touched on `worker` only
  private Interpreter interpreter;  // touched on `worker` only
  private ImageView imageView;
  private TextView resultView;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    LinearLayout layout = new LinearLayout(this);
    layout.setOrientation(LinearLayout.VERTICAL);
    float dp = getResources().getDisplayMetrics().density;
    int pad = (int) (16 * dp);
    layout.setPadding(pad, pad, pad, pad);
    imageView = new ImageView(this);
    imageView.setAdjustViewBounds(true);
    resultView = new TextView(this);
    resultView.setTextSize(16);
    resultView.setText("Loading " + MODEL_ASSET + " ...");
    layout.addView(imageView, new LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, (int) (240 * dp)));
    layout.addView(resultView);
    setContentView(layout);

    worker.execute(new Runnable() {
      @Override
      public void run() {
        classifySample();
      }
    });
  }

  @Override
  protected void onDestroy() {
    worker.execute(new Runnable() {  // after any classification still queued
      @Override
      public void run() {
        if (interpreter != null) {
          interpreter.close();
        }
        if (model != null) {
          model.close();
        }
      }
    });
    worker.shutdown();
    super.onDestroy();
  }

  private void classifySample() {
    final StringBuilder text = new StringBuilder();
    Bitmap shown = null;
    try {
      long t0 = SystemClock.elapsedRealtime();
      // Model.fromFile maps the file: the weights are read in place, outside the Java heap. Assets
      // live inside the APK, so the model is copied to app storage once. (Alternatives: read the
      // asset into a byte[] and call Model.fromBytes, or map an uncompressed asset with
      // getAssets().openFd() + FileChannel.map and call Model.fromBuffer.)
      model = Model.fromFile(assetAsFile(MODEL_ASSET).getPath());
      int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
      interpreter = new Interpreter(model, new Interpreter.Options().setThreads(threads));
      interpreter.prepare();
      long loadMs = SystemClock.elapsedRealtime() - t0;

      int[] shape = interpreter.inputShape(0);  // [1, H, W, 3]
      int height = shape[1];
      int width = shape[2];
      String image = firstImageAsset();
      Bitmap original = loadBitmap(image);
      shown = original;
      Bitmap input = centerCropScaled(original, width, height);
      int[] argb = new int[width * height];
      input.getPixels(argb, 0, width, 0, 0, width, height);
      ImageInput.fromArgb(interpreter, 0, argb, width, height);  // (p / 255 - mean) / std, RGB or BGR

      long t1 = SystemClock.elapsedRealtimeNanos();
      interpreter.invoke();
      double runMs = (SystemClock.elapsedRealtimeNanos() - t1) / 1e6;
      float[] scores = interpreter.getOutput(0);
      float[] probs = looksLikeProbabilities(scores) ? scores : softmax(scores);

      text.append(String.format(Locale.US, "%s: %s, input %dx%d %s\n", image,
          model.architecture().isEmpty() ? "model" : model.architecture(), width, height, model.channelOrder()));
      text.append(
          String.format(Locale.US, "incept %s, %d threads: load + prepare %d ms, invoke %.1f ms, arena %d KiB\n\n",
              Incept.version(), threads, loadMs, runMs, interpreter.arenaBytes() / 1024));
      for (int i : topK(probs, TOP_K)) {
        String label = model.label(i).isEmpty() ? "class " + i : model.label(i);
        text.append(String.format(Locale.US, "%5.1f%%  %s\n", 100 * probs[i], label));
      }
    } catch (InceptException e) {  // a refused model file, a bad option: the runtime's message
      Log.e(TAG, "incept: " + e.getMessage(), e);
      text.append("incept error (").append(e.codeName()).append("):\n").append(e.runtimeMessage());
    } catch (IOException e) {
      Log.e(TAG, "assets", e);
      text.append("Cannot read the assets: ")
          .append(e.getMessage())
          .append("\nPut a converted model at app/src/main/assets/")
          .append(MODEL_ASSET)
          .append(" (README.md).");
    }
    final Bitmap bitmap = shown;
    runOnUiThread(new Runnable() {
      @Override
      public void run() {
        if (bitmap != null) {
          imageView.setImageBitmap(bitmap);
        }
        resultView.setText(text);
      }
    });
  }

  /** Copies an asset to app storage (once per app version) and returns the file. */
  private File assetAsFile(String name) throws IOException {
    File out = new File(getFilesDir(), name);
    File stamp = new File(getFilesDir(), name + ".copied");
    long apkTime = new File(getApplicationInfo().sourceDir).lastModified();
    if (out.exists() && stamp.exists() && stamp.lastModified() >= apkTime) {
      return out;
    }
    File tmp = new File(getFilesDir(), name + ".tmp");
    InputStream in = getAssets().open(name, AssetManager.ACCESS_STREAMING);
    try {
      OutputStream os = new FileOutputStream(tmp);
      try {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0;) {
          os.write(buf, 0, n);
        }
      } finally {
        os.close();
      }
    } finally {
      in.close();
    }
    if (!tmp.renameTo(out)) {
      throw new IOException("cannot rename " + tmp + " to " + out);
    }
    new FileOutputStream(stamp).close();
    return out;
  }

  /** The first .png/.jpg among the assets (the bundled samples of models/inception_small). */
  private String firstImageAsset() throws IOException {
    String[] names = getAssets().list("");
    if (names != null) {
      java.util.Arrays.sort(names);
      for (String n : names) {
        String lower = n.toLowerCase(Locale.US);
        if (lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
          return n;
        }
      }
    }
    throw new IOException("no .png or .jpg image in the assets");
  }

  private Bitmap loadBitmap(String asset) throws IOException {
    InputStream in = getAssets().open(asset);
    try {
      BitmapFactory.Options o = new BitmapFactory.Options();
      o.inPreferredConfig = Bitmap.Config.ARGB_8888;
      Bitmap b = BitmapFactory.decodeStream(in, null, o);
      if (b == null) {
        throw new IOException("cannot decode " + asset);
      }
      return b;
    } finally {
      in.close();
    }
  }

  /**
   * The shorter side scaled to the input size, centre-cropped to width x height: the "crop" resize
   * of incept-classify.
   */
  static Bitmap centerCropScaled(Bitmap src, int width, int height) {
    double scale = Math.max((double) width / src.getWidth(), (double) height / src.getHeight());
    int cw = Math.min(src.getWidth(), Math.max(1, (int) Math.round(width / scale)));
    int ch = Math.min(src.getHeight(), Math.max(1, (int) Math.round(height / scale)));
    Bitmap crop = Bitmap.createBitmap(src, (src.getWidth() - cw) / 2, (src.getHeight() - ch) / 2, cw, ch);
    return Bitmap.createScaledBitmap(crop, width, height, true);
  }

  /** A classifier that ends in Softmax already gives probabilities; logits do not sum to 1. */
  static boolean looksLikeProbabilities(float[] v) {
    double sum = 0;
    for (float x : v) {
      if (!(x >= 0 && x <= 1)) {
        return false;
      }
      sum += x;
    }
    return Math.abs(sum - 1) < 1e-3;
  }

  static float[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float x : logits) {
      max = Math.max(max, x);
    }
    double sum = 0;
    double[] e = new double[logits.length];
    for (int i = 0; i < logits.length; ++i) {
      e[i] = Math.exp(logits[i] - max);
      sum += e[i];
    }
    float[] p = new float[logits.length];
    for (int i = 0; i < p.length; ++i) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }

  /** Indices of the k largest values, largest first (ties: lower index first). */
  static int[] topK(float[] v, int k) {
    k = Math.min(k, v.length);
    int[] best = new int[k];
    boolean[] taken = new boolean[v.length];
    for (int j = 0; j < k; ++j) {
      int arg = -1;
      for (int i = 0; i < v.length; ++i) {
        if (!taken[i] && (arg < 0 || v[i] > v[arg])) {
          arg = i;
        }
      }
      taken[arg] = true;
      best[j] = arg;
    }
    return best;
  }
}
