// SPDX-License-Identifier: Apache-2.0
// Resource caps: a model over a load cap, or a plan over the arena cap, is refused with a message
// that states the need and the cap.
#include <doctest/doctest.h>

#include <string>

#include "incept/incept.h"
#include "support/model_builder.h"
#include "support/tiny_models.h"

namespace incept {
namespace {

bool mentions(const Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

Status load_with(const std::vector<uint8_t>& bytes, const LoadOptions& caps) {
  test::AlignedBytes a(bytes);
  Result<Model> m = Model::from_bytes(a.data(), a.size(), caps);
  return m.ok() ? Status::ok() : m.status();
}

TEST_CASE("limits: load caps on tensors, ops and weight bytes") {
  const std::vector<uint8_t> bytes = test::TinyInception(31).bytes();
  CHECK(load_with(bytes, LoadOptions{}).is_ok());
  SUBCASE("tensors") {
    LoadOptions caps;
    caps.max_tensors = 5;
    const Status s = load_with(bytes, caps);
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "over the cap of 5 (LoadOptions::max_tensors)"));
  }
  SUBCASE("ops") {
    LoadOptions caps;
    caps.max_ops = 3;
    const Status s = load_with(bytes, caps);
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "over the cap of 3 (LoadOptions::max_ops)"));
  }
  SUBCASE("weights") {
    LoadOptions caps;
    caps.max_weights_bytes = 1000;
    const Status s = load_with(bytes, caps);
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "over the cap of 1000 (LoadOptions::max_weights_bytes)"));
  }
}

TEST_CASE("limits: the arena cap refuses a plan that does not fit, before the arena is allocated") {
  const test::TinyInception tiny(32);
  test::AlignedBytes a(tiny.bytes());
  Result<Model> m = Model::from_bytes(a.data(), a.size());
  REQUIRE(m.ok());
  size_t need = 0;
  {
    Interpreter it(*m, InterpreterOptions{Backend::kRef, 1});
    REQUIRE(it.arena_bytes_required(&need).is_ok());
  }
  for (Backend backend : {Backend::kRef, Backend::kAuto}) {
    CAPTURE(backend_name(backend));
    InterpreterOptions o{backend, 1};
    o.max_arena_bytes = 256;  // far below the activations
    Interpreter small(*m, o);
    const Status s = small.prepare();
    CHECK(s.code() == StatusCode::kArenaTooSmall);
    CHECK(mentions(s, "over the cap of 256 (InterpreterOptions::max_arena_bytes)"));
    CHECK(small.input(0).data == nullptr);  // nothing bound
  }
  InterpreterOptions exact{Backend::kRef, 1};
  exact.max_arena_bytes = need;
  Interpreter fits(*m, exact);
  CHECK(fits.prepare().is_ok());
  exact.max_arena_bytes = need - 64;  // activations fit the lower bound check only if the plan is tight
  Interpreter over(*m, exact);
  const Status s = over.prepare();
  CHECK(s.code() == StatusCode::kArenaTooSmall);
  CHECK(mentions(s, std::to_string(need - 64)));
}

}  // namespace
}  // namespace incept
