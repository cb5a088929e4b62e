// SPDX-License-Identifier: Apache-2.0
// invoke() performs no heap allocation: global operator new/delete count while a flag is set.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "incept/incept.h"
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

TEST_CASE("invoke: zero heap allocations") {
  const test::TinyInception tiny(11);
  test::AlignedBytes bytes(tiny.bytes());
  Result<Model> m = Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE(m.ok());
  Interpreter it(*m);
  REQUIRE(it.prepare().is_ok());

  // The counter works: an allocation while counting is seen.
  g_allocations = 0;
  g_counting = true;
  ::operator delete(::operator new(16));   // a direct call, which the compiler may not elide
  g_counting = false;
  REQUIRE(g_allocations.load() == 1);

  g_allocations = 0;
  g_counting = true;
  Status s = it.invoke();
  s = it.invoke();
  g_counting = false;
  REQUIRE(s.is_ok());
  CHECK(g_allocations.load() == 0);
}

}  // namespace
}  // namespace incept
