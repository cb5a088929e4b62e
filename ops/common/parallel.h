// SPDX-License-Identifier: Apache-2.0
// parallel_for: runs task(context, i) for i in [0, range) on a pthreadpool (or inline without one);
// parallel_for_tiles the same in tiles of items. The one place our own kernels hand work to the pool.
//
// Under ThreadSanitizer the fork and join are made visible: pthreadpool is a system library built
// without TSan, so its futex/atomic hand-off is invisible and every read of the caller's context by a
// worker would be reported as a race. A release before the fork and an acquire at the join (mirrored
// inside each task) state exactly the ordering pthreadpool guarantees, no more.
#pragma once

#include <cstddef>

#include <pthreadpool.h>

#if defined(__SANITIZE_THREAD__)
#define INCEPT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define INCEPT_TSAN 1
#endif
#endif

#ifdef INCEPT_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace incept::ops {

inline void parallel_for(pthreadpool_t pool, void (*task)(void*, size_t), void* context, size_t range) {
  if (pool == nullptr) {
    for (size_t i = 0; i < range; ++i) task(context, i);
    return;
  }
#ifdef INCEPT_TSAN
  struct Fork {
    void (*task)(void*, size_t);
    void* context;
  } fork{task, context};
  auto run = [](void* f, size_t i) {
    Fork& k = *static_cast<Fork*>(f);
    __tsan_acquire(&k);
    k.task(k.context, i);
    __tsan_release(&k);
  };
  __tsan_release(&fork);
  pthreadpool_parallelize_1d(pool, run, &fork, range, 0);
  __tsan_acquire(&fork);
#else
  pthreadpool_parallelize_1d(pool, task, context, range, 0);
#endif
}

// task(context, start, count) over [0, range) in tiles of `tile` items (the last may be shorter), spread over the
// pool; without one, a single call over the whole range. For work with a per-thread set-up worth amortising
// (the AMX tile configuration).
inline void parallel_for_tiles(pthreadpool_t pool, void (*task)(void*, size_t, size_t), void* context, size_t range,
                               size_t tile) {
  if (pool == nullptr || range <= tile) {
    if (range > 0) task(context, 0, range);
    return;
  }
#ifdef INCEPT_TSAN
  struct Fork {
    void (*task)(void*, size_t, size_t);
    void* context;
  } fork{task, context};
  auto run = [](void* f, size_t start, size_t count) {
    Fork& k = *static_cast<Fork*>(f);
    __tsan_acquire(&k);
    k.task(k.context, start, count);
    __tsan_release(&k);
  };
  __tsan_release(&fork);
  pthreadpool_parallelize_1d_tile_1d(pool, run, &fork, range, tile, 0);
  __tsan_acquire(&fork);
#else
  pthreadpool_parallelize_1d_tile_1d(pool, task, context, range, tile, 0);
#endif
}

}  // namespace incept::ops
