// SPDX-License-Identifier: Apache-2.0
#include "support/heap_counter.h"

#include <atomic>
#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define INCEPT_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INCEPT_TEST_SANITIZED 1
#endif
#if defined(__GLIBC__) && !defined(INCEPT_TEST_SANITIZED)
#define INCEPT_TEST_COUNTS_MALLOC 1
#endif

namespace {
std::atomic<bool> g_heap_counting{false};
std::atomic<long> g_heap_allocations{0};
inline void note_allocation() {
  if (g_heap_counting.load(std::memory_order_relaxed)) g_heap_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

#if INCEPT_TEST_COUNTS_MALLOC
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* malloc(size_t n) noexcept {
  note_allocation();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) noexcept {
  note_allocation();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) noexcept {
  note_allocation();
  return __libc_realloc(p, n);
}
}
#endif

namespace incept::test {

// Starts counting heap allocations made by any thread.
void heap_count_begin() {
  g_heap_allocations = 0;
  g_heap_counting = true;
}
// Stops counting; returns the allocations seen, or -1 when this build cannot count them.
long heap_count_end() {
  g_heap_counting = false;
#if INCEPT_TEST_COUNTS_MALLOC
  return g_heap_allocations.load();
#else
  return -1;
#endif
}

}  // namespace incept::test
