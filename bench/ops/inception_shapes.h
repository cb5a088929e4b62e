// SPDX-License-Identifier: Apache-2.0
// The real layer shapes of torchvision's GoogLeNet (224 x 224 input) and Inception-v3 (299 x 299), and
// timm's Inception-v4 and Inception-ResNet-v2 (299 x 299; convs only), batch 1, named after the modules: the op
// benchmarks' argument tables, in the manner of XNNPACK's bench/convolution.cc InceptionV3(). Benchmark arguments are
// the shape itself (ArgNames say which is which); a shape that repeats inside a network is benchmarked once and
// labelled with its first layer and the number of layers sharing it.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace incept::bench {

enum class Net : int { kGoogLeNet = 0, kInceptionV3 = 1, kInceptionV4 = 2, kInceptionResNetV2 = 3 };
const char* net_name(Net net);  // "googlenet", "inception_v3", "inception_v4", "inception_resnet_v2"

struct ConvShape {
  std::string name;         // "inception3a.branch2.1"
  int32_t h, w, cin, cout;  // input height, width, channels; output channels
  int32_t kh, kw, stride;   // kernel; the same stride on both axes
  int32_t ph, pw;           // symmetric padding (top = bottom, left = right)
  int count;                // layers of the network with exactly this shape
};

struct PoolShape {
  std::string name;
  int32_t h, w, c;
  int32_t k, stride, pad;  // square window, symmetric padding
  bool ceil_mode;
  int count;
};

struct FcShape {
  std::string name;
  int32_t in, out;
  int count;
};

// Distinct shapes per network, in network order.
const std::vector<ConvShape>& conv_shapes(Net net);
const std::vector<PoolShape>& max_pool_shapes(Net net);
const std::vector<PoolShape>& avg_pool_shapes(Net net);  // 3x3 s1 p1 count_include_pad (v3); GoogLeNet has none
const std::vector<FcShape>& fc_shapes(Net net);

// Apply() functions: conv Args {H, W, Cin, Cout, KH, KW, S, PH, PW}; pool Args {H, W, C, K, S, P, ceil};
// fully connected Args {In, Out}.
void googlenet_convs(benchmark::internal::Benchmark* b);
void inception_v3_convs(benchmark::internal::Benchmark* b);
void inception_v4_convs(benchmark::internal::Benchmark* b);
void inception_resnet_v2_convs(benchmark::internal::Benchmark* b);
void googlenet_max_pools(benchmark::internal::Benchmark* b);
void inception_v3_max_pools(benchmark::internal::Benchmark* b);
void inception_v3_avg_pools(benchmark::internal::Benchmark* b);
void googlenet_fcs(benchmark::internal::Benchmark* b);
void inception_v3_fcs(benchmark::internal::Benchmark* b);

// Registers fn as <name>/<net>/<shape args> (BM_conv2d_f32_xnn/googlenet/H:28/W:28/...), real time, for
// every network with such layers: convs on all four, max pools and fully connected on GoogLeNet and
// Inception-v3, average pools on Inception-v3. The op benchmarks register one per registered kernel and
// one per ISA table this way, at start.
using NetBenchFn = std::function<void(benchmark::State&, Net)>;
void register_conv_bench(const std::string& name, const NetBenchFn& fn);
void register_max_pool_bench(const std::string& name, const NetBenchFn& fn);
void register_avg_pool_bench(const std::string& name, const NetBenchFn& fn);
void register_fc_bench(const std::string& name, const NetBenchFn& fn);

// The shape a benchmark's arguments name, and its "<layer> (xN)" label.
ConvShape conv_shape_of(const benchmark::State& state, Net net);
PoolShape pool_shape_of(const benchmark::State& state, Net net, bool max_pool);
FcShape fc_shape_of(const benchmark::State& state, Net net);

}  // namespace incept::bench
