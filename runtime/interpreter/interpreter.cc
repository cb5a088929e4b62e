// SPDX-License-Identifier: Apache-2.0
// Interpreter: public methods and invoke(), which walks the bound steps. No allocation, no checks.
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>

#include "common/q8_kernel.h"
#include "interpreter/interpreter_impl.h"
#include "quantize/quantize.h"

namespace incept {
namespace {

constexpr size_t kArenaAlignment = 64;

}  // namespace

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::kAuto: return "auto";
    case Backend::kRef: return "ref";
    case Backend::kEigen: return "eigen";
    case Backend::kXnnpack: return "xnnpack";
    case Backend::kNative: return "native";
  }
  return "?";
}

// Usable when some op has a kernel of the family that this build has and this CPU can run.
bool backend_available(Backend b) {
  if (b == Backend::kAuto || b == Backend::kRef) return true;
  if (b != Backend::kEigen && b != Backend::kXnnpack && b != Backend::kNative) return false;
  return ops::family_usable(family_of(b));
}

Status parse_backend(const char* name, Backend* out) {
  INCEPT_CHECK(name != nullptr && out != nullptr, kInvalidArgument, "parse_backend: null argument");
  for (Backend b : {Backend::kAuto, Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (std::strcmp(name, backend_name(b)) == 0) {
      *out = b;
      return Status::ok();
    }
  }
  return Status::error(StatusCode::kInvalidArgument,
                       "unknown backend '%s' (choose auto, ref, eigen, xnnpack or native)", name);
}

Interpreter::Impl::~Impl() {
  if (pool != nullptr) pthreadpool_destroy(pool);
}

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
  INCEPT_RETURN_IF_ERROR(impl_->plan());
  const size_t need = impl_->stats.arena_bytes;
  INCEPT_CHECK(arena != nullptr || need == 0, kInvalidArgument, "arena is null but the plan needs %zu bytes", need);
  const uintptr_t addr = reinterpret_cast<uintptr_t>(arena);
  const size_t skip = (kArenaAlignment - addr % kArenaAlignment) % kArenaAlignment;
  INCEPT_CHECK(arena_size >= skip && arena_size - skip >= need, kArenaTooSmall,
               "arena of %zu bytes is too small: the plan needs %zu bytes%s", arena_size, need,
               skip != 0 ? " after aligning the arena start to 64 bytes" : "");
  if (impl_->options.threads > 1 && impl_->pool == nullptr) {
    impl_->pool = pthreadpool_create(static_cast<size_t>(impl_->options.threads));
    INCEPT_CHECK(impl_->pool != nullptr, kInvalidArgument, "cannot create a pool of %d threads",
                 impl_->options.threads);
  }
  impl_->prepared = false;
  INCEPT_RETURN_IF_ERROR(impl_->bind(static_cast<uint8_t*>(arena) + skip));
  impl_->prepared = true;
  return Status::ok();
}

Status Interpreter::prepare() {
  INCEPT_RETURN_IF_ERROR(impl_->plan());
  const size_t need = impl_->stats.arena_bytes;
  if (!impl_->owned_arena) {
    impl_->owned_arena.reset(new (std::nothrow) uint8_t[need + kArenaAlignment]);
    INCEPT_CHECK(impl_->owned_arena != nullptr, kInvalidArgument, "cannot allocate an arena of %zu bytes", need);
  }
  return prepare(impl_->owned_arena.get(), need + kArenaAlignment);
}

void run_convert(const ConvertStep& c) {
  if (c.fns != nullptr) {  // the best ISA table's vector runs
    if (c.quantize) {
      ops::quantize_with(*c.fns, c.type, c.quant, c.src, c.dst);
    } else {
      ops::dequantize_with(*c.fns, c.type, c.quant, c.src, c.dst);
    }
    return;
  }
  ops::with_q8_type(c.type, [&](auto type) {
    using T = decltype(type);
    if (c.quantize) {
      ops::quantize_ref<T>(c.quant, c.src, ops::view_as<T>(c.dst));
    } else {
      ops::dequantize_ref<T>(c.quant, ops::view_as<T>(c.src), c.dst);
    }
  });
}

// One step: its conversions into float32 copies, the kernel, the conversion out of its float32 copy.
static inline void run_step(const Step& s, pthreadpool_t pool) {
  for (int i = 0; i < s.num_before; ++i) run_convert(s.before[i]);
  s.kernel->run(s.state, s.io, pool);
  for (int i = 0; i < s.num_after; ++i) run_convert(s.after[i]);
}

// The 8-bit graph inputs, before the first step: from a frame set_input_image() left, else from the float32
// staging the API wrote.
static void run_entry(Interpreter::Impl& impl) {
  for (const ConvertStep& c : impl.entry_converts) {
    PendingImage& image = impl.images[static_cast<size_t>(c.input)];
    if (image.pixels != nullptr) {
      run_pending_image(image, c.dst);
    } else {
      run_convert(c);
    }
  }
}

Status Interpreter::invoke() {
  INCEPT_CHECK(impl_->prepared, kInvalidArgument, "invoke() called before a successful prepare()");
  pthreadpool_t pool = impl_->pool;
  run_entry(*impl_);
  for (const Step& s : impl_->steps) run_step(s, pool);
  return Status::ok();
}

Status Interpreter::invoke_profiled(double* op_ms) {
  INCEPT_CHECK(impl_->prepared, kInvalidArgument, "invoke_profiled() called before a successful prepare()");
  INCEPT_CHECK(op_ms != nullptr, kInvalidArgument, "invoke_profiled: op_ms is null");
  using clock = std::chrono::steady_clock;
  const Step* steps = impl_->steps.data();
  pthreadpool_t pool = impl_->pool;
  const auto entry = clock::now();
  run_entry(*impl_);
  const double entry_ms = std::chrono::duration<double, std::milli>(clock::now() - entry).count();
  for (size_t i = 0, n = impl_->steps.size(); i < n; ++i) {
    const auto t0 = clock::now();
    run_step(steps[i], pool);
    op_ms[i] = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  }
  if (!impl_->steps.empty()) op_ms[0] += entry_ms;  // quantising 8-bit graph inputs counts as the first op's
  return Status::ok();
}

int Interpreter::num_inputs() const { return static_cast<int>(impl_->model->inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(impl_->model->outputs.size()); }

// A graph input or output as the API gives it: float32 (an 8-bit graph input: its float32 staging, which
// invoke quantises first; graph outputs are float32 by the loader's rule).
static TensorRef tensor_ref(const Interpreter::Impl& impl, int t, const TensorView<float>* staging) {
  const detail::TensorInfo& info = impl.model->tensors[t];
  TensorRef r;
  r.name = info.name.c_str();
  r.shape = info.shape;
  r.data = !impl.prepared                                   ? nullptr
           : staging != nullptr && staging->data != nullptr ? staging->data
                                                            : impl.views[t].data;
  r.bytes = static_cast<size_t>(info.num_elements) * sizeof(float);
  return r;
}

TensorRef Interpreter::input(int i) const {
  const bool staged = impl_->prepared && static_cast<size_t>(i) < impl_->staging.size();
  return tensor_ref(*impl_, impl_->model->inputs[i], staged ? &impl_->staging[i] : nullptr);
}
TensorRef Interpreter::output(int i) const { return tensor_ref(*impl_, impl_->model->outputs[i], nullptr); }
const PlanStats& Interpreter::plan_stats() const { return impl_->stats; }
int Interpreter::num_ops() const { return static_cast<int>(impl_->model->ops.size()); }
int Interpreter::num_tensors() const { return static_cast<int>(impl_->model->tensors.size()); }
Backend Interpreter::backend() const { return impl_->options.backend; }
int Interpreter::threads() const { return impl_->options.threads; }

OpInfo Interpreter::op_info(int i) const {
  const detail::OpNode& n = impl_->model->ops[i];
  OpInfo info;
  info.name = n.name.c_str();
  info.kind = detail::op_kind_name(n.kind);
  info.output_shape = impl_->model->tensors[n.outputs[0]].shape;
  info.inputs = n.inputs.data();
  info.num_inputs = static_cast<int>(n.inputs.size());
  info.output = n.outputs[0];
  if (impl_->planned) {
    info.flops = impl_->kernels[i].flops;
    const KernelChoice& kc = impl_->kernels[i];
    info.backend = ops::kernel_family_name(kc.kernel->family);
    info.kernel = kc.plan.name;
    if (kc.plan.view) info.backend = "view";
    if (kc.fused_away) info.backend = "fused";
    info.converted_tensors = static_cast<int>(kc.shadows.size());
  }
  return info;
}

TensorPlacement Interpreter::tensor_placement(int t) const {
  const Impl& m = *impl_;
  const detail::TensorInfo& info = m.model->tensors[t];
  TensorPlacement p;
  p.name = info.name.c_str();
  p.shape = info.shape;
  p.bytes = static_cast<size_t>(info.num_elements) * (info.is_constant() ? sizeof(float) : m.element_bytes(t));
  p.constant = info.is_constant();
  if (info.is_8bit_activation()) {
    p.dtype = detail::storage_name(info.storage);
    p.scale = info.quant.scale;
    p.zero_point = info.quant.zero_point;
  }
  if (!m.planned || p.constant) return p;
  int32_t channel = 0;
  const int r = m.root_of(t, &channel);
  const int block = m.places[r].block;
  if (block < 0) return p;
  p.in_arena = true;
  p.view_of = m.places[t].view_of;
  p.in_place = m.places[t].in_place;
  p.fused = m.places[t].fused;
  p.channel_offset = m.places[t].channel_offset;
  p.pixel_stride = m.pixel_stride(t);
  p.offset = m.offsets[block] + static_cast<size_t>(channel) * m.element_bytes(r);
  p.first_step = m.block_first[block];
  p.last_step = m.block_last[block];
  return p;
}

}  // namespace incept
