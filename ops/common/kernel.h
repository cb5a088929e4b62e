// SPDX-License-Identifier: Apache-2.0
// The kernel registry's types. Every op lists its kernels in priority order (ops/<op>/<op>_kernels.cc,
// reached through op_def() in ops/op_registry.h): first its native kernels, written once over the ISA
// tables (NativeKernel; the registry makes one Kernel per table, best ISA first), then the fixed ones
// (XNNPACK, Eigen, the reference). Prepare takes the first one whose types match the op's, whose family
// the user allows, whose ISA the CPU has (under the INCEPT_ISA cap), and whose create() accepts the op.
// The interpreter then holds {const Kernel*, KernelState} per step and knows nothing of families or ops.
//
//   KernelPlan plan;
//   Status s = create_kernel(kernel, config, &plan);   // prepare: packs weights, sizes scratch; kUnsupported: next
//   if (kernel.setup) s = kernel.setup(plan.state.get(), io, pool);   // arena bound: pointers fixed from now on
//   kernel.run(plan.state.get(), io, pool);         // invoke: no checks, no allocation
//
// Names follow <op>_<dtype>_<impl>[_<tile>_<isa>] (conv2d_f32_gemm_6x16_avx2_fma, max_pool2d_f32_xnn), so
// grep finds every variant; native kernels' names are made from their table's tile (kernel_name()), and
// a kernel may refine its name at create (a concat that copies nothing, a Winograd tile).
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/cpu.h"
#include "common/op_types.h"
#include "common/quant.h"
#include "incept/shape.h"
#include "incept/status.h"

namespace incept::ops {

// Kernel families, as users choose them (the public Backend names them the same way).
enum class KernelFamily : uint8_t { kRef = 0, kEigen = 1, kXnnpack = 2, kNative = 3 };
const char* kernel_family_name(KernelFamily f);  // "ref", "eigen", "xnnpack", "native"

// Element types of an op's tensors, as kernel names spell them (the <dtype> of <op>_<dtype>_...).
// 8-bit activations are kQU8 (uint8) or kQS8 (int8) on an op; a kernel that takes both, each tensor as
// KernelConfig says, is kQ8. int8 weights (symmetric per output channel) are kQS8.
enum class DataType : uint8_t { kNone = 0, kF32 = 1, kQ8 = 2, kQU8 = 3, kQS8 = 4 };
const char* data_type_name(DataType t);  // "", "f32", "q8", "qu8", "qs8"

// The types of one op's tensors in a plan, or the types a kernel takes: its activation inputs, its
// constant inputs (weights and bias; kNone for an op without any) and its output.
struct KernelTypes {
  DataType input = DataType::kF32;
  DataType weights = DataType::kF32;
  DataType output = DataType::kF32;
};
inline constexpr KernelTypes kF32Types{};

// A kernel that takes `kernel` may run an op whose tensors are `op`: activations in and out exactly, and
// the weights where the op has any.
inline bool type_matches(DataType kernel, DataType op) {
  return kernel == op || (kernel == DataType::kQ8 && (op == DataType::kQU8 || op == DataType::kQS8));
}
inline bool types_match(const KernelTypes& kernel, const KernelTypes& op) {
  return type_matches(kernel.input, op.input) && type_matches(kernel.output, op.output) &&
         (op.weights == DataType::kNone || kernel.weights == op.weights);
}

struct IsaTable;  // ops/isa/isa_table.h
struct Kernel;

// The part of an ISA table a native kernel runs on: whether a table gets the kernel, and the tile its
// name carries.
enum class IsaPart : uint8_t { kGemmF32, kWinogradF32, kMaxPoolF32, kGemmQ8, kPoolQ8, kWinogradQ8 };

// One op as prepare sees it once the memory plan has placed its tensors. Arrays have num_inputs entries.
struct KernelConfig {
  const Kernel* kernel = nullptr;  // the kernel being created (create_kernel() sets it)
  KernelTypes types;               // the op's tensor types in this plan
  const void* params = nullptr;    // the op's params struct (Conv2DParams, ...), alive with the model
  int num_inputs = 0;
  const Shape* input_shapes = nullptr;      // an absent optional input has rank 0
  const int32_t* input_strides = nullptr;   // floats between pixels of each activation (0 for constants)
  const float* const* constants = nullptr;  // each constant input's data (weights, bias), else nullptr
  const bool* in_output_slice = nullptr;    // the input already lives in its channel slice of the output
  Shape output_shape;
  int32_t output_stride = 0;
  int threads = 1;       // the pool's threads (1: no pool)
  bool winograd = true;  // Winograd kernels may take convs (InterpreterOptions::winograd)
  // A residual add fused into this op (prepare folds an Add into the conv that feeds it; only kernels with
  // Kernel::fuses_residual see it): out = act(op + residual), the residual being KernelIo::residual (the
  // output's shape, pixel stride residual_stride) and act = fused_activation in place of the op's own
  // (which is none). 0: no residual.
  int32_t residual_stride = 0;
  Activation fused_activation = Activation::kNone;
  // An 8-bit op with a fused residual: the residual's storage and quantisation (kNone: a float residual), and
  // output_type / output_quant are the Add's output's (the tensor the fused op writes).
  DataType residual_type = DataType::kNone;
  Quant residual_quant;
  // 8-bit tensors, for kernels of type kQ8 (others may ignore these): each input's storage (kF32 for float
  // activations and constants) and quantisation, the output's, and int8 weights as the file holds them.
  const DataType* input_types = nullptr;
  const Quant* input_quant = nullptr;
  const int8_t* const* constants_q8 = nullptr;    // int8 constants' bytes, else nullptr
  const float* const* constant_scales = nullptr;  // their per-output-channel scales, else nullptr
  DataType output_type = DataType::kF32;
  Quant output_quant;
};

// The per-input arrays a KernelConfig points into, owned together: how prepare, the tests and the
// benchmarks hold them while a kernel is created.
struct KernelInputs {
  std::vector<Shape> shapes;                // rank 0: an absent optional input
  std::vector<int32_t> strides;             // 0 for constants
  std::vector<const float*> constants;      // nullptr for activations
  std::unique_ptr<bool[]> in_output_slice;  // all false until set
  std::vector<DataType> types;              // kF32 unless set
  std::vector<Quant> quant;
  std::vector<const int8_t*> constants_q8;
  std::vector<const float*> constant_scales;
  explicit KernelInputs(int n = 0) { resize(n); }
  void resize(int n) {
    shapes.assign(n, Shape{});
    strides.assign(n, 0);
    constants.assign(n, nullptr);
    in_output_slice.reset(new bool[n > 0 ? n : 1]());
    types.assign(n, DataType::kF32);
    quant.assign(n, Quant{});
    constants_q8.assign(n, nullptr);
    constant_scales.assign(n, nullptr);
  }
  // Points config's input arrays (and num_inputs) here.
  void bind(KernelConfig* config) const {
    config->num_inputs = static_cast<int>(shapes.size());
    config->input_shapes = shapes.data();
    config->input_strides = strides.data();
    config->constants = constants.data();
    config->in_output_slice = in_output_slice.get();
    config->input_types = types.data();
    config->input_quant = quant.data();
    config->constants_q8 = constants_q8.data();
    config->constant_scales = constant_scales.data();
  }
};

// What a kernel keeps between create and run (packed weights, an XNNPACK operator, ...).
class KernelState {
 public:
  virtual ~KernelState() = default;
};

// create()'s answer.
struct KernelPlan {
  std::unique_ptr<KernelState> state;  // may stay null
  size_t scratch_bytes = 0;            // arena bytes run() needs for this step (64-byte aligned)
  size_t packed_bytes = 0;             // weights the kernel holds repacked (counted in PlanStats)
  bool reads_constants = true;         // false: run() never reads the constant inputs (their pages may go)
  char name[48] = "";                  // set from Kernel::name unless create wrote one
  bool view = false;                   // the kernel copies nothing: its inputs already live in the output
};

// The bound tensors of one step. Arrays have num_inputs entries. An 8-bit tensor's view holds its bytes
// behind a float pointer (pixel strides count elements): kQ8 kernels read it through view_as<uint8_t or int8_t>.
struct KernelIo {
  const ConstTensorView<float>* inputs = nullptr;  // activations (an empty view for constants)
  const float* const* constants = nullptr;         // constants' data, else nullptr
  int num_inputs = 0;
  TensorView<float> out;
  float* scratch = nullptr;  // plan.scratch_bytes inside the arena, or nullptr
  // Added before the activation when create saw KernelConfig::residual_stride > 0; otherwise empty. May be
  // the very memory of `out` (a residual add in place): kernels read each element before writing it.
  ConstTensorView<float> residual;
};

using KernelCreateFn = Status (*)(const KernelConfig& config, KernelPlan* plan);
using KernelSetupFn = Status (*)(KernelState* state, const KernelIo& io, pthreadpool_t pool);
using KernelRunFn = void (*)(const KernelState* state, const KernelIo& io, pthreadpool_t pool);

struct Kernel {
  const char* name;
  KernelFamily family;
  Isa isa;  // the instruction set run() needs; kScalar for baseline code
  KernelCreateFn create;
  // Binds pointers once the arena is known (nullptr: nothing to bind). Not called again before run().
  KernelSetupFn setup;
  KernelRunFn run;
  // create() takes KernelConfig::residual_stride > 0 (KernelIo::residual added in the epilogue). Prepare
  // offers a residual only to such kernels.
  bool fuses_residual = false;
  // Bytes run() may read (never write) past the end of an input view (XNNPACK: XNN_EXTRA_BYTES). Prepare
  // keeps that much slack, in whole 64-byte lines, past the end of the arena when such a kernel is chosen.
  uint32_t read_past_end_bytes = 0;
  KernelTypes types = kF32Types;    // the tensor types it takes
  const IsaTable* table = nullptr;  // native kernels: the ISA table create() reads (from KernelConfig::kernel)
};

// A kernel of our own, written once over the ISA tables: the registry makes one Kernel of it for every
// table that has `part`, best ISA first, named <op>_<dtype>_<impl>_<tile>_<isa> from that table (without
// _<impl> when impl is empty). Its create() reads the table from config.kernel->table.
struct NativeKernel {
  const char* impl;  // "gemm", "winograd", "" (a pool: the tile alone)
  IsaPart part;
  KernelCreateFn create;
  KernelSetupFn setup;
  KernelRunFn run;
  bool fuses_residual = false;
  KernelTypes types = kF32Types;
};

// Writes <op>_<dtype>_<impl>_<tile>_<isa> into buf (empty parts and their '_' left out): how native
// kernels, and the names they refine at create, are spelled. Returns false when it does not fit.
bool kernel_name(char* buf, size_t size, const char* op, DataType dtype, const char* impl, const char* tile,
                 const char* isa);

// Creates `kernel` for `config` (which it completes with config.kernel): how prepare and the tests call
// Kernel::create.
inline Status create_kernel(const Kernel& kernel, KernelConfig config, KernelPlan* plan) {
  config.kernel = &kernel;
  return kernel.create(config, plan);
}

// The kernel may run here: its ISA is usable (the CPU has it, the cap allows it) and, for XNNPACK, the
// library initialised on this CPU.
bool kernel_usable(const Kernel& k);

// Some op has a usable kernel of family f (what backend_available() answers for a named backend).
bool family_usable(KernelFamily f);

// The view of an 8-bit (or any) tensor that KernelIo carries as float: its bytes as T. Strides count
// elements, so the view's dims and pixel stride hold as they are.
template <typename T>
inline ConstTensorView<T> view_as(const ConstTensorView<float>& v) {
  return {reinterpret_cast<const T*>(v.data), v.n, v.h, v.w, v.c, v.pixel_stride};
}
template <typename T>
inline TensorView<T> view_as(const TensorView<float>& v) {
  return {reinterpret_cast<T*>(v.data), v.n, v.h, v.w, v.c, v.pixel_stride};
}

// A KernelState that is just a copy of the op's params: what stateless kernels (ref, eigen) keep.
template <typename P>
struct ParamsState : KernelState {
  explicit ParamsState(const P& params) : p(params) {}
  P p;
};

template <typename P>
const P& params_of(const KernelConfig& c) {
  return *static_cast<const P*>(c.params);
}
template <typename P>
const P& params_of(const KernelState* s) {
  return static_cast<const ParamsState<P>*>(s)->p;
}

// create() for kernels that need nothing but the params.
template <typename P>
Status create_params_state(const KernelConfig& c, KernelPlan* plan) {
  plan->state = std::make_unique<ParamsState<P>>(params_of<P>(c));
  return Status::ok();
}

}  // namespace incept::ops
