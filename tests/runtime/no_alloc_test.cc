// SPDX-License-Identifier: Apache-2.0
// invoke() performs no heap allocation: global operator new/delete count while a flag is set.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "incept/incept.h"
#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif
#include "support/heap_counter.h"
#include "support/model_builder.h"
#include "support/tiny_models.h"

// The replacements below pair malloc with free by design; GCC cannot see that.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace incept {
namespace {

TEST_CASE("invoke: zero heap allocations, every backend, 1 and 2 threads") {
  const test::TinyInception tiny(11);
  test::AlignedBytes bytes(tiny.bytes());
  Result<Model> m = Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE(m.ok());

  // The counters work: an allocation while counting is seen by both.
  g_allocations = 0;
  g_counting = true;
  test::heap_count_begin();
  ::operator delete(::operator new(16));  // a direct call, which the compiler may not elide
  const long malloc_seen = test::heap_count_end();
  g_counting = false;
  REQUIRE(g_allocations.load() == 1);
  REQUIRE((malloc_seen == -1 || malloc_seen >= 1));

  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      Interpreter it(*m, InterpreterOptions{backend, threads});
      REQUIRE(it.prepare().is_ok());
      REQUIRE(it.invoke().is_ok());  // a first run outside the counters (lazy library state)
#if INCEPT_WITH_XNNPACK
      const size_t xnn_before = ops::xnn_live_bytes();
#endif
      g_allocations = 0;
      g_counting = true;
      test::heap_count_begin();
      Status s = it.invoke();
      if (s.is_ok()) s = it.invoke();
      const long heap = test::heap_count_end();
      g_counting = false;
      REQUIRE(s.is_ok());
      CHECK(g_allocations.load() == 0);
      CHECK((heap == -1 || heap == 0));
#if INCEPT_WITH_XNNPACK
      CHECK(ops::xnn_live_bytes() == xnn_before);
#endif
    }
  }
}

}  // namespace
}  // namespace incept
