// SPDX-License-Identifier: Apache-2.0
package org.incept;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.HashSet;
import java.util.Set;

/**
 * One native handle owned by a {@link Model} or an {@link Interpreter}. {@link #free()} releases it
 * once (close()); if the owner becomes unreachable without close(), a daemon thread releases it
 * after the GC notices (java.lang.ref.Cleaner would do the same, but Android has it only from
 * API 33).
 */
final class NativeResource extends PhantomReference<Object> {
  static final int MODEL = 0;
  static final int INTERPRETER = 1;

  private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<Object>();
  // Registered resources: a PhantomReference must stay reachable itself until it is enqueued.
  private static final Set<NativeResource> LIVE = new HashSet<NativeResource>();
  private static Thread reaper;  // guarded by LIVE

  private final int kind;
  private long handle;  // guarded by this; 0 once freed

  NativeResource(Object owner, long handle, int kind) {
    super(owner, QUEUE);
    this.handle = handle;
    this.kind = kind;
    synchronized (LIVE) {
      LIVE.add(this);
      if (reaper == null) {
        reaper = new Thread(new Runnable() {
          @Override
          public void run() {
            reap();
          }
        }, "incept-cleaner");
        reaper.setDaemon(true);
        reaper.start();
      }
    }
  }

  /** The handle, or 0 once freed. */
  synchronized long handle() {
    return handle;
  }

  /** Releases the native object; later calls do nothing. */
  void free() {
    long h;
    synchronized (this) {
      h = handle;
      handle = 0;
    }
    if (h != 0) {
      if (kind == MODEL) {
        NativeLib.freeModel(null, h);
      } else {
        NativeLib.freeInterpreter(null, h);
      }
    }
    clear();
    synchronized (LIVE) {
      LIVE.remove(this);
    }
  }

  private static void reap() {
    while (true) {
      try {
        ((NativeResource) QUEUE.remove()).free();
      } catch (InterruptedException e) {
        // keep serving: nothing else may free what is enqueued
      }
    }
  }
}
