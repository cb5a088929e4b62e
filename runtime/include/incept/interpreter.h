// SPDX-License-Identifier: Apache-2.0
// Runs a Model. All memory is decided in prepare(); invoke() allocates nothing and checks nothing.
//
//   alignas(64) static uint8_t arena[8 << 20];
//   incept::Interpreter it(*model);
//   size_t need = 0;
//   INCEPT_RETURN_IF_ERROR(it.arena_bytes_required(&need));   // shapes + memory plan
//   INCEPT_RETURN_IF_ERROR(it.prepare(arena, sizeof(arena)));  // or it.prepare() to allocate once
//   fill(it.input(0));  INCEPT_RETURN_IF_ERROR(it.invoke());  read(it.output(0));
//   // fill: NHWC, channels last. From a PyTorch-ordered (NCHW) buffer:
//   INCEPT_RETURN_IF_ERROR(it.set_input(0, x_nchw, count, incept::Layout::kNchw));
//
// Tensors are NHWC float32 (outputs of a global pool / fully connected layer are [N, C]).
// Graph inputs and outputs keep their own memory for the whole run, so an input written once may be
// invoked on repeatedly. An Interpreter is not thread-safe; several may share one Model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "incept/model.h"
#include "incept/shape.h"
#include "incept/status.h"

namespace incept {

// Kernel families. kAuto picks, per op at prepare time, the fastest one that computes that op
// exactly (native, then xnnpack, then eigen, then ref). Naming one makes it the first choice for every
// op it implements; ops it does not implement (or cannot do exactly, e.g. a strided add on XNNPACK) run
// on ref. op_info() tells what each op got, down to the kernel.
// kNative is incept's own SIMD micro-kernels, built per ISA (x86-64 AVX2+FMA and AVX-512F, aarch64
// and armv7 NEON) and picked at run time for the CPU; the environment variable INCEPT_ISA ("avx2", "scalar",
// ...) caps the ISA they may use (a name this build does not know is ignored with one warning on stderr).
// New kernels and ISAs arrive inside these families.
enum class Backend : uint8_t { kAuto = 0, kRef = 1, kEigen = 2, kXnnpack = 3, kNative = 4 };
const char* backend_name(Backend b);  // "auto", "ref", "eigen", "xnnpack", "native"
bool backend_available(Backend b);    // built into this library and usable on this CPU
// "auto" | "ref" | "eigen" | "xnnpack" | "native" -> Backend; kInvalidArgument naming the choices otherwise.
[[nodiscard]] Status parse_backend(const char* name, Backend* out);

struct InterpreterOptions {
  Backend backend = Backend::kAuto;
  int threads = 1;  // 1: no worker threads (everything on the calling thread)
  // 0: no cap. Otherwise prepare() / arena_bytes_required() refuse (kArenaTooSmall, stating the need and
  // the cap) a plan over it, checked before kernels pack weights and before the arena is allocated.
  size_t max_arena_bytes = 0;
  // Winograd convolutions (3x3, 1x7, 7x1, 1x3, 3x1 of stride 1, on layers where they measure faster):
  // fewer multiplies for more packed weight bytes (transformed 3x3 weights take 4x the bytes with the
  // F(4x4,3x3) tile). false: every conv runs direct, for memory-tight devices. Kernel names say which ran.
  bool winograd = true;
};

// The order of a 4-D buffer's dimensions. incept's tensors are NHWC (channels last: what input(i).data
// holds); PyTorch's are NCHW. set_input() takes either and transposes NCHW on the copy.
enum class Layout : uint8_t { kNhwc = 0, kNchw = 1 };
const char* layout_name(Layout layout);  // "NHWC", "NCHW"

// A graph input or output: dense NHWC float32 (an output of a global pool or fully connected layer is
// [N, C]) inside the arena.
struct TensorRef {
  const char* name = "";
  Shape shape;
  float* data = nullptr;
  size_t bytes = 0;
};

// Memory plan summary (valid after arena_bytes_required() or prepare()).
struct PlanStats {
  size_t arena_bytes = 0;        // what prepare() needs (the plan's extent, 64-byte aligned offsets)
  size_t scratch_bytes = 0;      // the largest kernel scratch (eigen im2col/packing) one op uses
  size_t lower_bound_bytes = 0;  // max over steps of the bytes live at once: no plan can do better
  size_t copy_concat_bytes = 0;  // the same planner's result if concat copied its inputs instead of viewing them
  int num_views = 0;             // tensors living inside a concat output
  int num_in_place = 0;          // Add outputs written over an input that dies there (residual sums)
  int num_copied_concat_inputs = 0;
  // Weights repacked by kernels (native, XNNPACK) and held by this interpreter: the native kernels'
  // packed panels plus the growth of XNNPACK's allocations during this plan (that part approximate
  // while other interpreters prepare at the same time), plus narrow (float16, int8) weights widened to
  // float32 for kernels that read weights as they are (ref, eigen).
  size_t packed_weights_bytes = 0;
  size_t file_weights_bytes = 0;  // weights still read in place from the model file
  double gflop = 0.0;             // one invoke's multiply-adds x 2, in 1e9
  // Residual Adds folded into the conv that feeds them (the conv adds the residual in its epilogue and
  // writes the sum; the Add's step does nothing): our own conv kernels do this, the other families not.
  int num_fused_adds = 0;
};

// One op as prepared (after prepare()). Strings and the inputs array point into the Model: valid
// as long as it lives.
struct OpInfo {
  const char* name = "";
  const char* kind = "";  // "Conv2D", "MaxPool2D", ...
  // "ref", "eigen", "xnnpack", "native", "view" for a concat that copies nothing, or "fused" for an Add
  // folded into the conv before it (PlanStats::num_fused_adds)
  const char* backend = "";
  // The kernel, named <op>_<dtype>_<impl>[_<tile>_<isa>]: "conv2d_f32_gemm_6x16_avx2_fma", "conv2d_f32_xnn",
  // "max_pool2d_f32_ref", ... ("concat_view" for a concat that copies nothing, "add_f32_fused" / "add_q8_fused" for a
  // fused Add). Valid while the Interpreter lives.
  const char* kernel = "";
  Shape output_shape;
  double flops = 0.0;           // multiply-adds x 2 (comparisons / additions for pools)
  const int* inputs = nullptr;  // tensor indices (tensor_placement()); -1 marks an absent optional input
  int num_inputs = 0;
  int output = -1;  // tensor index
  // 8-bit tensors this op's float32 kernel reads or writes through float32 copies: its 8-bit inputs are
  // dequantised before the kernel and its 8-bit output quantised after (an op without an 8-bit kernel).
  int converted_tensors = 0;
};

// Where a tensor lives in the arena (after arena_bytes_required() or prepare()). `name` points into
// the Model.
struct TensorPlacement {
  const char* name = "";
  Shape shape;
  bool constant = false;          // weights (read from the file or packed by kernels)
  bool in_arena = false;          // false for weights and unused tensors
  size_t offset = 0;              // bytes from the arena start to the tensor's first element
  size_t bytes = 0;               // its own elements x their size (a view's span is strided inside its root)
  const char* dtype = "float32";  // its storage in the arena: "float32", "uint8" or "int8"
  float scale = 0.0f;             // an 8-bit tensor's quantisation (real = scale * (q - zero_point))
  int32_t zero_point = 0;
  int first_step = -1, last_step = -1;  // op indices that bound its lifetime (views: the root's)
  int view_of = -1;                     // tensor index of the concat output it is a channel slice of, or of the input
                                        // an in-place op writes it over (in_place), or -1
  int32_t channel_offset = 0;           // first channel inside view_of
  bool in_place = false;     // an Add output sharing its input's memory (or, fused, a conv output that is view_of)
  int32_t pixel_stride = 0;  // floats between consecutive pixels
  bool fused = false;        // the output of a conv whose residual Add was fused: view_of is that Add's output
};

class Interpreter {
 public:
  explicit Interpreter(const Model& model, const InterpreterOptions& options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Shape inference (checked against the shapes stored in the file) and the memory plan; writes the
  // arena size prepare() needs. Idempotent; prepare() calls it too.
  [[nodiscard]] Status arena_bytes_required(size_t* bytes);
  // Binds the caller's arena (any alignment; it is aligned up to 64 inside, so pass need + 63 bytes
  // for an unaligned buffer). The arena must outlive the interpreter.
  [[nodiscard]] Status prepare(void* arena, size_t arena_size);
  // Allocates the arena once (64-byte aligned) and binds it.
  [[nodiscard]] Status prepare();
  // Runs every op in order. Requires a successful prepare(); otherwise returns kInvalidArgument.
  [[nodiscard]] Status invoke();
  // Like invoke(), and writes each op's wall time in milliseconds to op_ms[0 .. num_ops()).
  [[nodiscard]] Status invoke_profiled(double* op_ms);

  int num_inputs() const;
  int num_outputs() const;
  // Graph input i (after prepare()): NHWC float32 memory to fill, [1, H, W, C] for an image, channels last
  // (a PyTorch tensor is NCHW: transpose it, or copy it in with set_input(..., Layout::kNchw)).
  TensorRef input(int i) const;
  // Copies `count` floats (input(i)'s element count) into graph input i (after prepare()), read in `layout`
  // order: NHWC as they are; NCHW ([N, C, H, W], PyTorch's) transposed to NHWC on the copy. An input that
  // is not 4-D is copied as it is. Replaces a frame set_input_image() left for the next invoke().
  [[nodiscard]] Status set_input(int i, const float* data, size_t count, Layout layout = Layout::kNhwc);
  // A camera frame as graph input i (after prepare()), preprocessed as the model records: uint8 pixels,
  // row-major HWC, RGB (channels = 3) or RGBA / RGBX (channels = 4, the fourth byte ignored), rows
  // row_bytes apart (0: width * channels), exactly the input's height and width (scale the frame first);
  // x[c] = (pixel / 255 - mean[c]) / std[c] in the model's channel order. A float32 input is written now
  // (input(i) holds the result). An 8-bit input (a file converted with --quantize int8) is normalised and
  // quantised in one pass straight into its 8 bits when the next invoke() starts, which reads the pixels
  // (keep them valid until it returns) instead of the float32 input; the invoke after it reads the float32
  // input again unless this is called again. Same bytes as writing x into input(i) and invoking.
  [[nodiscard]] Status set_input_image(int i, const uint8_t* pixels, int32_t height, int32_t width,
                                       int32_t channels = 3, size_t row_bytes = 0);
  TensorRef output(int i) const;  // after prepare()
  const PlanStats& plan_stats() const;
  int num_ops() const;
  OpInfo op_info(int i) const;  // after prepare()
  int num_tensors() const;
  TensorPlacement tensor_placement(int t) const;  // after arena_bytes_required() or prepare()
  Backend backend() const;                        // as requested in the options
  int threads() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace incept
