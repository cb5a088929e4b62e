// SPDX-License-Identifier: Apache-2.0
// incept-inspect M.incept [--svg plan.svg] [--threads N] [--backend B] [--no-winograd]
// Prints what a model file holds and what prepare() made of it: metadata, the graph in execution
// order (kind, chosen backend, input tensors, output shape, GFLOP) and the memory plan (arena vs
// its lower bound, each tensor's offset, bytes, lifetime and concat parent); --svg draws the plan.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_report.h"
#include "common/cli.h"
#include "common/display_text.h"
#include "incept/incept.h"
#include "plan_svg.h"

namespace {

constexpr const char* kTool = "incept-inspect";
using incept::bench::format_bytes;
using incept::bench::format_shape;
using incept::tools::fit_left;
using incept::tools::shown;

void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: incept-inspect MODEL.incept [--svg PLAN.svg] [--threads N] [--backend B] [--no-winograd]\n"
               "  Prints MODEL's metadata, graph and memory plan as prepared for the given backend and threads.\n"
               "  --svg FILE    also draw the memory plan (step x arena offset) as SVG\n"
               "  --threads N   threads, 1..256 (default 1; kernel scratch can depend on it)\n"
               "  --backend B   auto (default), native, xnnpack, eigen or ref\n"
               "  --no-winograd every conv direct (default: Winograd where it is faster; more weight bytes)\n"
               "  Exit status: 0 ok; 2 bad input (flag, model file, SVG path); 1 an internal failure.\n");
}

// Keeps the end of a long name (the distinctive part), so columns stay aligned.
// Inputs of op i: activations as "t<index>" (names in the memory plan table), constants (weights,
// bias) counted as "+Nc".
std::string op_inputs(const incept::Interpreter& it, int i) {
  const incept::OpInfo op = it.op_info(i);
  std::string out;
  int constants = 0;
  for (int j = 0; j < op.num_inputs; ++j) {
    const int t = op.inputs[j];
    if (t < 0) continue;
    if (it.tensor_placement(t).constant) {
      ++constants;
      continue;
    }
    out += (out.empty() ? "t" : " t") + std::to_string(t);
  }
  if (constants > 0) out += " +" + std::to_string(constants) + "c";
  return out;
}

void print_metadata(const std::string& path, const incept::Model& m, const incept::PlanStats& st) {
  std::printf("model %s\n", path.c_str());
  std::printf("  architecture  %s\n  producer      %s\n",
              *m.architecture() ? shown(m.architecture()).c_str() : "(none)",
              *m.producer() ? shown(m.producer()).c_str() : "(none)");
  for (int i = 0; i < m.num_inputs(); ++i)
    std::printf("  input %-7d %s %s%s\n", i, shown(m.input_name(i)).c_str(), format_shape(m.input_shape(i)).c_str(),
                m.input_shape(i).rank == 4 ? " NHWC (channels last, not PyTorch's NCHW)" : "");
  for (int i = 0; i < m.num_outputs(); ++i)
    std::printf("  output %-6d %s %s\n", i, shown(m.output_name(i)).c_str(), format_shape(m.output_shape(i)).c_str());
  const float* mean = m.mean();
  const float* sd = m.std_dev();
  std::printf(
      "  preprocess    %d x %d, %s, x = (pixel / 255 - mean) / std, mean (%.4g, %.4g, %.4g), std (%.4g, %.4g, %.4g)\n",
      m.input_height(), m.input_width(), m.channel_order() == incept::ChannelOrder::kRgb ? "RGB" : "BGR", mean[0],
      mean[1], mean[2], sd[0], sd[1], sd[2]);
  std::printf("  labels        %d", m.num_labels());
  if (m.num_labels() > 0)
    std::printf(" (\"%s\" .. \"%s\")", shown(m.label(0)).c_str(), shown(m.label(m.num_labels() - 1)).c_str());
  std::printf("\n  weights       %s (%zu floats)\n  size          %d ops, %d tensors, %.3f GFLOP\n",
              format_bytes(m.weights_bytes()).c_str(), m.weights_bytes() / sizeof(float), m.num_ops(), m.num_tensors(),
              st.gflop);
}

void print_graph(const incept::Interpreter& it) {
  size_t name_w = 4;
  for (int i = 0; i < it.num_ops(); ++i) name_w = std::max(name_w, shown(it.op_info(i).name).size());
  name_w = std::min<size_t>(name_w, 44);
  std::printf(
      "\ngraph (backend %s, %d thread%s; tensors tN as in the memory plan, +Nc = N constant inputs, "
      "+cvtN = N 8-bit tensors converted around a float32 kernel)\n",
      incept::backend_name(it.backend()), it.threads(), it.threads() == 1 ? "" : "s");
  std::printf("  %4s  %-*s  %-14s %-30s %5s %-18s %8s  %s\n", "#", static_cast<int>(name_w), "name", "kind", "kernel",
              "out", "shape", "GFLOP", "inputs");
  for (int i = 0; i < it.num_ops(); ++i) {
    const incept::OpInfo op = it.op_info(i);
    const std::string out = "t" + std::to_string(op.output);
    std::printf("  %4d  %-*s  %-14s %-30s %5s %-18s %8.4f  %s\n", i, static_cast<int>(name_w),
                fit_left(shown(op.name), name_w).c_str(), op.kind,
                incept::tools::kernel_label(op.kernel, op.converted_tensors).c_str(), out.c_str(),
                format_shape(op.output_shape).c_str(), op.flops * 1e-9, op_inputs(it, i).c_str());
  }
}

void print_plan(const incept::Interpreter& it) {
  const incept::PlanStats& st = it.plan_stats();
  std::printf("\nmemory plan\n");
  std::printf("  arena         %s (%zu bytes)\n", format_bytes(st.arena_bytes).c_str(), st.arena_bytes);
  std::printf("  lower bound   %s (%zu bytes), ratio %.3f; kernel scratch %s of it\n",
              format_bytes(st.lower_bound_bytes).c_str(), st.lower_bound_bytes,
              st.lower_bound_bytes ? double(st.arena_bytes) / st.lower_bound_bytes : 0.0,
              format_bytes(st.scratch_bytes).c_str());
  std::printf(
      "  copy-concat   %s if concat copied its inputs; %d views, %d concat inputs copied, %d adds in place, "
      "%d fused into their conv\n",
      format_bytes(st.copy_concat_bytes).c_str(), st.num_views, st.num_copied_concat_inputs, st.num_in_place,
      st.num_fused_adds);
  std::printf("  weights       %s packed by kernels, %s read in place from the file\n",
              format_bytes(st.packed_weights_bytes).c_str(), format_bytes(st.file_weights_bytes).c_str());
  size_t name_w = 4;
  for (int t = 0; t < it.num_tensors(); ++t) {
    const incept::TensorPlacement p = it.tensor_placement(t);
    if (p.in_arena) name_w = std::max(name_w, shown(p.name).size());
  }
  name_w = std::min<size_t>(name_w, 48);
  std::printf("  %4s  %-*s  %-18s %-22s %10s %10s  %-9s  %s\n", "t", static_cast<int>(name_w), "name", "shape",
              "type (scale, zero pt)", "offset", "bytes", "steps", "view of (first channel, pixel stride)");
  for (int t = 0; t < it.num_tensors(); ++t) {
    const incept::TensorPlacement p = it.tensor_placement(t);
    if (!p.in_arena) continue;
    char life[32];
    std::snprintf(life, sizeof(life), "%d..%d", p.first_step, p.last_step);
    std::string view = "-";
    if (p.fused)
      view = "= t" + std::to_string(p.view_of) + " (residual add fused into its conv)";
    else if (p.in_place)
      view = "in place over t" + std::to_string(p.view_of);
    else if (p.view_of >= 0)
      view = "t" + std::to_string(p.view_of) + " (" + std::to_string(p.channel_offset) + ", " +
             std::to_string(p.pixel_stride) + ")";
    char type[48];
    if (std::strcmp(p.dtype, "float32") == 0) {
      std::snprintf(type, sizeof(type), "float32");
    } else {
      std::snprintf(type, sizeof(type), "%s (%.4g, %d)", p.dtype, static_cast<double>(p.scale),
                    static_cast<int>(p.zero_point));
    }
    std::printf("  %4d  %-*s  %-18s %-22s %10zu %10zu  %-9s  %s\n", t, static_cast<int>(name_w),
                fit_left(shown(p.name), name_w).c_str(), format_shape(p.shape).c_str(), type, p.offset, p.bytes, life,
                view.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, svg_path;
  incept::InterpreterOptions options;
  incept::tools::Args args(kTool, argc, argv);
  while (args.next()) {
    if (args.interpreter_flag(&options)) continue;
    if (args.is("-h") || args.is("--help")) {
      usage(stdout);
      return 0;
    } else if (args.is("--svg")) {
      svg_path = args.value();
    } else if (args.positional() && model_path.empty()) {
      model_path = args.arg();
    } else {
      args.reject();
    }
  }
  if (model_path.empty()) {
    std::fprintf(stderr, "%s: no model given\n", kTool);
    usage(stderr);
    return 2;
  }
  if (!svg_path.empty()) {
    const incept::Status w = incept::tools::check_writable("--svg", svg_path);
    if (!w.is_ok()) return incept::tools::fail(kTool, "cannot write the SVG", w);
  }
  incept::Result<incept::Model> model = incept::Model::from_file(model_path.c_str());
  if (!model.ok()) return incept::tools::fail(kTool, "cannot load model", model.status());
  incept::Interpreter it(*model, options);
  incept::Status s = it.prepare();
  if (!s.is_ok()) return incept::tools::fail(kTool, "cannot prepare model", s);

  print_metadata(model_path, *model, it.plan_stats());
  print_graph(it);
  print_plan(it);
  if (!svg_path.empty()) {
    const std::string title = model_path + " (" + shown(model->architecture()) + "), backend " +
                              incept::backend_name(options.backend) + ", " + std::to_string(options.threads) +
                              " thread" + (options.threads == 1 ? "" : "s");
    s = incept::bench::write_plan_svg(svg_path.c_str(), it, title);
    if (!s.is_ok()) return incept::tools::fail(kTool, "cannot write the SVG", s);
    std::printf("\nwrote %s\n", svg_path.c_str());
  }
  return 0;
}
