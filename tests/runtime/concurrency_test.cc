// SPDX-License-Identifier: Apache-2.0
// One Model shared read-only by several interpreters on different threads: every thread gets the
// same bits as a lone interpreter. Also: repeated invokes are bit-identical (determinism).
#include <doctest/doctest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "incept/incept.h"
#include "support/model_builder.h"
#include "support/test_util.h"
#include "support/tiny_models.h"

namespace incept {
namespace {

std::vector<float> run_once(const Model& m, const InterpreterOptions& o, const std::vector<float>& x, int repeats,
                            bool* ok) {
  Interpreter it(m, o);
  *ok = it.prepare().is_ok();
  if (!*ok) return {};
  std::memcpy(it.input(0).data, x.data(), it.input(0).bytes);
  for (int r = 0; r < repeats && *ok; ++r) *ok = it.invoke().is_ok();
  return std::vector<float>(it.output(0).data, it.output(0).data + it.output(0).bytes / sizeof(float));
}

TEST_CASE("concurrency: four interpreters on four threads (each with 1 or 2 pool threads) share a model, same bits") {
  const test::TinyInception tiny(21);
  test::AlignedBytes bytes(tiny.bytes());
  Result<Model> m = Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE(m.ok());
  test::Rng rng(99);
  std::vector<float> x(static_cast<size_t>(m->input_shape(0).num_elements()));
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);

  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {  // 2: each interpreter also runs its own pool inside invoke()
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      const InterpreterOptions o{backend, threads};
      bool ok = false;
      const std::vector<float> want = run_once(*m, o, x, 1, &ok);
      REQUIRE(ok);
      constexpr int kThreads = 4;
      std::vector<std::vector<float>> got(kThreads);
      std::vector<int> oks(kThreads, 0);
      std::vector<std::thread> pool;
      for (int t = 0; t < kThreads; ++t)
        pool.emplace_back([&, t] {
          bool good = false;
          got[t] = run_once(*m, o, x, 20, &good);
          oks[t] = good ? 1 : 0;
        });
      for (std::thread& th : pool) th.join();
      for (int t = 0; t < kThreads; ++t) {
        CAPTURE(t);
        REQUIRE(oks[t] == 1);
        CHECK(std::memcmp(got[t].data(), want.data(), want.size() * sizeof(float)) == 0);
      }
    }
  }
}

TEST_CASE("determinism: same model, input, backend and threads give the same bits every run") {
  const test::TinyInception tiny(22);
  test::AlignedBytes bytes(tiny.bytes());
  Result<Model> m = Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE(m.ok());
  std::vector<float> x(static_cast<size_t>(m->input_shape(0).num_elements()), 0.25f);
  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      bool ok1 = false, ok2 = false;
      const std::vector<float> a = run_once(*m, InterpreterOptions{backend, threads}, x, 1, &ok1);
      const std::vector<float> b = run_once(*m, InterpreterOptions{backend, threads}, x, 5, &ok2);
      REQUIRE((ok1 && ok2));
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    }
  }
}

}  // namespace
}  // namespace incept
