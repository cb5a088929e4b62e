// SPDX-License-Identifier: Apache-2.0
// Interpreter: public methods and invoke(), which walks the bound steps. No allocation, no checks.
#include <cstdint>
#include <cstring>
#include <new>

#include "interpreter/interpreter_impl.h"
#include "planner/planner.h"

namespace incept {
namespace {

constexpr size_t kArenaAlignment = 64;

// Copies a (possibly strided) view into a slice of a wider tensor, pixel by pixel.
void copy_view_f32(ConstTensorView<float> src, TensorView<float> dst) {
  for (int32_t n = 0; n < src.n; ++n)
    for (int32_t y = 0; y < src.h; ++y)
      for (int32_t x = 0; x < src.w; ++x)
        std::memcpy(dst.pixel(n, y, x), src.pixel(n, y, x), static_cast<size_t>(src.c) * sizeof(float));
}

void run_step(const Step& s, const CopyJob* copies) {
  using detail::OpKind;
  switch (s.kind) {
    case OpKind::kConv2D:
      ops::conv2d_f32_ref(std::get<ops::Conv2DParams>(*s.params), s.in0, s.weights, s.bias, s.out);
      return;
    case OpKind::kMaxPool2D: ops::max_pool2d_f32_ref(std::get<ops::MaxPool2DParams>(*s.params), s.in0, s.out); return;
    case OpKind::kAvgPool2D: ops::avg_pool2d_f32_ref(std::get<ops::AvgPool2DParams>(*s.params), s.in0, s.out); return;
    case OpKind::kConcat:
      for (uint32_t i = 0; i < s.num_copies; ++i) copy_view_f32(copies[s.first_copy + i].src, copies[s.first_copy + i].dst);
      return;
    case OpKind::kGlobalAvgPool:
      ops::global_avg_pool_f32_ref(std::get<ops::GlobalAvgPoolParams>(*s.params), s.in0, s.out);
      return;
    case OpKind::kFullyConnected:
      ops::fully_connected_f32_ref(std::get<ops::FullyConnectedParams>(*s.params), s.in0, s.weights, s.bias, s.out);
      return;
    case OpKind::kSoftmax: ops::softmax_f32_ref(std::get<ops::SoftmaxParams>(*s.params), s.in0, s.out); return;
    case OpKind::kAdd: ops::add_f32_ref(std::get<ops::AddParams>(*s.params), s.in0, s.in1, s.out); return;
  }
}

}  // namespace

Interpreter::Interpreter(const Model& model, const InterpreterOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->model = &model.data();
  impl_->options = options;
}

Interpreter::~Interpreter() = default;

Status Interpreter::arena_bytes_required(size_t* bytes) {
  INCEPT_CHECK(bytes != nullptr, kInvalidArgument, "arena_bytes_required: bytes is null");
  INCEPT_RETURN_IF_ERROR(impl_->plan());
  *bytes = impl_->stats.arena_bytes;
  return Status::ok();
}

Status Interpreter::prepare(void* arena, size_t arena_size) {
  INCEPT_CHECK(impl_->options.threads >= 1, kInvalidArgument, "threads must be >= 1, got %d", impl_->options.threads);
  INCEPT_CHECK(impl_->options.backend == Backend::kRef, kUnsupported, "backend %d is not available in this build",
               static_cast<int>(impl_->options.backend));
  INCEPT_RETURN_IF_ERROR(impl_->plan());
  const size_t need = impl_->stats.arena_bytes;
  INCEPT_CHECK(arena != nullptr || need == 0, kInvalidArgument, "arena is null but the plan needs %zu bytes", need);
  const uintptr_t addr = reinterpret_cast<uintptr_t>(arena);
  const size_t skip = (kArenaAlignment - addr % kArenaAlignment) % kArenaAlignment;
  INCEPT_CHECK(arena_size >= skip && arena_size - skip >= need, kArenaTooSmall,
               "arena of %zu bytes is too small: the plan needs %zu bytes%s", arena_size, need,
               skip != 0 ? " after aligning the arena start to 64 bytes" : "");
  impl_->prepared = false;
  INCEPT_RETURN_IF_ERROR(impl_->bind(static_cast<uint8_t*>(arena) + skip));
  impl_->prepared = true;
  return Status::ok();
}

Status Interpreter::prepare() {
  INCEPT_RETURN_IF_ERROR(impl_->plan());
  const size_t need = impl_->stats.arena_bytes;
  if (!impl_->owned_arena || impl_->arena == nullptr) {
    impl_->owned_arena.reset(new (std::nothrow) uint8_t[need + kArenaAlignment]);
    INCEPT_CHECK(impl_->owned_arena != nullptr, kInvalidArgument, "cannot allocate an arena of %zu bytes", need);
  }
  return prepare(impl_->owned_arena.get(), need + kArenaAlignment);
}

Status Interpreter::invoke() {
  INCEPT_CHECK(impl_->prepared, kInvalidArgument, "invoke() called before a successful prepare()");
  const Step* steps = impl_->steps.data();
  const CopyJob* copies = impl_->copies.data();
  for (size_t i = 0, n = impl_->steps.size(); i < n; ++i) run_step(steps[i], copies);
  return Status::ok();
}

int Interpreter::num_inputs() const { return static_cast<int>(impl_->model->inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(impl_->model->outputs.size()); }

static TensorRef tensor_ref(const Interpreter::Impl& impl, int t) {
  const detail::TensorInfo& info = impl.model->tensors[t];
  TensorRef r;
  r.name = info.name.c_str();
  r.shape = info.shape;
  r.data = impl.prepared ? impl.views[t].data : nullptr;
  r.bytes = static_cast<size_t>(info.num_elements) * sizeof(float);
  return r;
}

TensorRef Interpreter::input(int i) const { return tensor_ref(*impl_, impl_->model->inputs[i]); }
TensorRef Interpreter::output(int i) const { return tensor_ref(*impl_, impl_->model->outputs[i]); }
const PlanStats& Interpreter::plan_stats() const { return impl_->stats; }

}  // namespace incept
