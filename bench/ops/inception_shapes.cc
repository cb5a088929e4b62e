// SPDX-License-Identifier: Apache-2.0
// torchvision GoogLeNet and Inception-v3 layer tables (see inception_shapes.h, shape_tables.h), and the
// lookups over all four networks. Written as the networks are built: a stem, then one call per block.
#include "inception_shapes.h"

#include <initializer_list>
#include <utility>

#include "shape_tables.h"

namespace incept::bench {
// torchvision.models.googlenet (Inception(in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj); its
// "5x5" branch is a 3x3 conv, as in torchvision).
Tables make_googlenet() {
  Tables t;
  t.add_conv("conv1", 224, 3, 64, 7, 7, 2, 3, 3);
  t.add_max_pool("maxpool1", 112, 64, 3, 2, 0, true);
  t.add_conv("conv2", 56, 64, 64, 1, 1);
  t.add_conv("conv3", 56, 64, 192, 3, 3, 1, 1, 1);
  t.add_max_pool("maxpool2", 56, 192, 3, 2, 0, true);
  struct Block {
    const char* name;
    int32_t hw, in, c1, c3r, c3, c5r, c5, pool_proj;
  };
  const Block blocks[] = {
      {"inception3a", 28, 192, 64, 96, 128, 16, 32, 32},     {"inception3b", 28, 256, 128, 128, 192, 32, 96, 64},
      {"inception4a", 14, 480, 192, 96, 208, 16, 48, 64},    {"inception4b", 14, 512, 160, 112, 224, 24, 64, 64},
      {"inception4c", 14, 512, 128, 128, 256, 24, 64, 64},   {"inception4d", 14, 512, 112, 144, 288, 32, 64, 64},
      {"inception4e", 14, 528, 256, 160, 320, 32, 128, 128}, {"inception5a", 7, 832, 256, 160, 320, 32, 128, 128},
      {"inception5b", 7, 832, 384, 192, 384, 48, 128, 128},
  };
  for (const Block& b : blocks) {
    const std::string n = b.name;
    if (n == "inception4a") t.add_max_pool("maxpool3", 28, 480, 3, 2, 0, true);
    if (n == "inception5a") t.add_max_pool("maxpool4", 14, 832, 2, 2, 0, true);
    t.add_conv(n + ".branch1", b.hw, b.in, b.c1, 1, 1);
    t.add_conv(n + ".branch2.0", b.hw, b.in, b.c3r, 1, 1);
    t.add_conv(n + ".branch2.1", b.hw, b.c3r, b.c3, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch3.0", b.hw, b.in, b.c5r, 1, 1);
    t.add_conv(n + ".branch3.1", b.hw, b.c5r, b.c5, 3, 3, 1, 1, 1);
    t.add_max_pool(n + ".branch4.0", b.hw, b.in, 3, 1, 1, true);
    t.add_conv(n + ".branch4.1", b.hw, b.in, b.pool_proj, 1, 1);
  }
  t.fc.push_back({"fc", 1024, 1000, 1});
  return t;
}

// torchvision.models.inception_v3 (aux head dropped: inference only).
Tables make_inception_v3() {
  Tables t;
  t.add_conv("Conv2d_1a_3x3", 299, 3, 32, 3, 3, 2);
  t.add_conv("Conv2d_2a_3x3", 149, 32, 32, 3, 3);
  t.add_conv("Conv2d_2b_3x3", 147, 32, 64, 3, 3, 1, 1, 1);
  t.add_max_pool("maxpool1", 147, 64, 3, 2, 0, false);
  t.add_conv("Conv2d_3b_1x1", 73, 64, 80, 1, 1);
  t.add_conv("Conv2d_4a_3x3", 73, 80, 192, 3, 3);
  t.add_max_pool("maxpool2", 71, 192, 3, 2, 0, false);
  const std::pair<const char*, int32_t> a_blocks[] = {{"Mixed_5b", 192}, {"Mixed_5c", 256}, {"Mixed_5d", 288}};
  for (const auto& [name, in] : a_blocks) {  // InceptionA(in, pool_features) at 35 x 35
    const std::string n = name;
    t.add_conv(n + ".branch1x1", 35, in, 64, 1, 1);
    t.add_conv(n + ".branch5x5_1", 35, in, 48, 1, 1);
    t.add_conv(n + ".branch5x5_2", 35, 48, 64, 5, 5, 1, 2, 2);
    t.add_conv(n + ".branch3x3dbl_1", 35, in, 64, 1, 1);
    t.add_conv(n + ".branch3x3dbl_2", 35, 64, 96, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch3x3dbl_3", 35, 96, 96, 3, 3, 1, 1, 1);
    t.add_avg_pool(n + ".branch_pool", 35, in);
    t.add_conv(n + ".branch_pool", 35, in, in == 192 ? 32 : 64, 1, 1);
  }
  t.add_conv("Mixed_6a.branch3x3", 35, 288, 384, 3, 3, 2);  // InceptionB: grid reduction 35 -> 17
  t.add_conv("Mixed_6a.branch3x3dbl_1", 35, 288, 64, 1, 1);
  t.add_conv("Mixed_6a.branch3x3dbl_2", 35, 64, 96, 3, 3, 1, 1, 1);
  t.add_conv("Mixed_6a.branch3x3dbl_3", 35, 96, 96, 3, 3, 2);
  t.add_max_pool("Mixed_6a.max_pool", 35, 288, 3, 2, 0, false);
  const std::pair<const char*, int32_t> c_blocks[] = {
      {"Mixed_6b", 128}, {"Mixed_6c", 160}, {"Mixed_6d", 160}, {"Mixed_6e", 192}};
  for (const auto& [name, c7] : c_blocks) {  // InceptionC(768, channels_7x7) at 17 x 17
    const std::string n = name;
    t.add_conv(n + ".branch1x1", 17, 768, 192, 1, 1);
    t.add_conv(n + ".branch7x7_1", 17, 768, c7, 1, 1);
    t.add_conv(n + ".branch7x7_2", 17, c7, c7, 1, 7, 1, 0, 3);
    t.add_conv(n + ".branch7x7_3", 17, c7, 192, 7, 1, 1, 3, 0);
    t.add_conv(n + ".branch7x7dbl_1", 17, 768, c7, 1, 1);
    t.add_conv(n + ".branch7x7dbl_2", 17, c7, c7, 7, 1, 1, 3, 0);
    t.add_conv(n + ".branch7x7dbl_3", 17, c7, c7, 1, 7, 1, 0, 3);
    t.add_conv(n + ".branch7x7dbl_4", 17, c7, c7, 7, 1, 1, 3, 0);
    t.add_conv(n + ".branch7x7dbl_5", 17, c7, 192, 1, 7, 1, 0, 3);
    t.add_avg_pool(n + ".branch_pool", 17, 768);
    t.add_conv(n + ".branch_pool", 17, 768, 192, 1, 1);
  }
  t.add_conv("Mixed_7a.branch3x3_1", 17, 768, 192, 1, 1);  // InceptionD: grid reduction 17 -> 8
  t.add_conv("Mixed_7a.branch3x3_2", 17, 192, 320, 3, 3, 2);
  t.add_conv("Mixed_7a.branch7x7x3_1", 17, 768, 192, 1, 1);
  t.add_conv("Mixed_7a.branch7x7x3_2", 17, 192, 192, 1, 7, 1, 0, 3);
  t.add_conv("Mixed_7a.branch7x7x3_3", 17, 192, 192, 7, 1, 1, 3, 0);
  t.add_conv("Mixed_7a.branch7x7x3_4", 17, 192, 192, 3, 3, 2);
  t.add_max_pool("Mixed_7a.max_pool", 17, 768, 3, 2, 0, false);
  const std::pair<const char*, int32_t> e_blocks[] = {{"Mixed_7b", 1280}, {"Mixed_7c", 2048}};
  for (const auto& [name, in] : e_blocks) {  // InceptionE(in) at 8 x 8
    const std::string n = name;
    t.add_conv(n + ".branch1x1", 8, in, 320, 1, 1);
    t.add_conv(n + ".branch3x3_1", 8, in, 384, 1, 1);
    t.add_conv(n + ".branch3x3_2a", 8, 384, 384, 1, 3, 1, 0, 1);
    t.add_conv(n + ".branch3x3_2b", 8, 384, 384, 3, 1, 1, 1, 0);
    t.add_conv(n + ".branch3x3dbl_1", 8, in, 448, 1, 1);
    t.add_conv(n + ".branch3x3dbl_2", 8, 448, 384, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch3x3dbl_3a", 8, 384, 384, 1, 3, 1, 0, 1);
    t.add_conv(n + ".branch3x3dbl_3b", 8, 384, 384, 3, 1, 1, 1, 0);
    t.add_avg_pool(n + ".branch_pool", 8, in);
    t.add_conv(n + ".branch_pool", 8, in, 192, 1, 1);
  }
  t.fc.push_back({"fc", 2048, 1000, 1});
  return t;
}

namespace {

const Tables& tables(Net net) {
  static const Tables googlenet = make_googlenet();
  static const Tables v3 = make_inception_v3();
  static const Tables v4 = make_inception_v4();
  static const Tables irv2 = make_inception_resnet_v2();
  switch (net) {
    case Net::kGoogLeNet: return googlenet;
    case Net::kInceptionV3: return v3;
    case Net::kInceptionV4: return v4;
    case Net::kInceptionResNetV2: return irv2;
  }
  return v3;
}

std::string count_suffix(int count) { return count > 1 ? " (x" + std::to_string(count) + ")" : ""; }

void conv_args(benchmark::internal::Benchmark* b, Net net) {
  b->ArgNames({"H", "W", "Cin", "Cout", "KH", "KW", "S", "PH", "PW"});
  for (const ConvShape& s : conv_shapes(net)) b->Args({s.h, s.w, s.cin, s.cout, s.kh, s.kw, s.stride, s.ph, s.pw});
}

void pool_args(benchmark::internal::Benchmark* b, const std::vector<PoolShape>& shapes) {
  b->ArgNames({"H", "W", "C", "K", "S", "P", "ceil"});
  for (const PoolShape& s : shapes) b->Args({s.h, s.w, s.c, s.k, s.stride, s.pad, s.ceil_mode ? 1 : 0});
}

void fc_args(benchmark::internal::Benchmark* b, Net net) {
  b->ArgNames({"In", "Out"});
  for (const FcShape& s : fc_shapes(net)) b->Args({s.in, s.out});
}

}  // namespace

const char* net_name(Net net) {
  switch (net) {
    case Net::kGoogLeNet: return "googlenet";
    case Net::kInceptionV3: return "inception_v3";
    case Net::kInceptionV4: return "inception_v4";
    case Net::kInceptionResNetV2: return "inception_resnet_v2";
  }
  return "?";
}
const std::vector<ConvShape>& conv_shapes(Net net) { return tables(net).conv; }
const std::vector<PoolShape>& max_pool_shapes(Net net) { return tables(net).max_pool; }
const std::vector<PoolShape>& avg_pool_shapes(Net net) { return tables(net).avg_pool; }
const std::vector<FcShape>& fc_shapes(Net net) { return tables(net).fc; }

void googlenet_convs(benchmark::internal::Benchmark* b) { conv_args(b, Net::kGoogLeNet); }
void inception_v3_convs(benchmark::internal::Benchmark* b) { conv_args(b, Net::kInceptionV3); }
void inception_v4_convs(benchmark::internal::Benchmark* b) { conv_args(b, Net::kInceptionV4); }
void inception_resnet_v2_convs(benchmark::internal::Benchmark* b) { conv_args(b, Net::kInceptionResNetV2); }
namespace {

void register_nets(const std::string& name, const NetBenchFn& fn,
                   std::initializer_list<std::pair<Net, void (*)(benchmark::internal::Benchmark*)>> nets) {
  for (const auto& [net, args] : nets) {
    benchmark::RegisterBenchmark((name + "/" + net_name(net)).c_str(),
                                 [fn, net = net](benchmark::State& state) { fn(state, net); })
        ->Apply(args)
        ->UseRealTime();
  }
}

}  // namespace

void register_conv_bench(const std::string& name, const NetBenchFn& fn) {
  register_nets(name, fn,
                {{Net::kGoogLeNet, googlenet_convs},
                 {Net::kInceptionV3, inception_v3_convs},
                 {Net::kInceptionV4, inception_v4_convs},
                 {Net::kInceptionResNetV2, inception_resnet_v2_convs}});
}
void register_max_pool_bench(const std::string& name, const NetBenchFn& fn) {
  register_nets(name, fn, {{Net::kGoogLeNet, googlenet_max_pools}, {Net::kInceptionV3, inception_v3_max_pools}});
}
void register_avg_pool_bench(const std::string& name, const NetBenchFn& fn) {
  register_nets(name, fn, {{Net::kInceptionV3, inception_v3_avg_pools}});
}
void register_fc_bench(const std::string& name, const NetBenchFn& fn) {
  register_nets(name, fn, {{Net::kGoogLeNet, googlenet_fcs}, {Net::kInceptionV3, inception_v3_fcs}});
}

void googlenet_max_pools(benchmark::internal::Benchmark* b) { pool_args(b, max_pool_shapes(Net::kGoogLeNet)); }
void inception_v3_max_pools(benchmark::internal::Benchmark* b) { pool_args(b, max_pool_shapes(Net::kInceptionV3)); }
void inception_v3_avg_pools(benchmark::internal::Benchmark* b) { pool_args(b, avg_pool_shapes(Net::kInceptionV3)); }
void googlenet_fcs(benchmark::internal::Benchmark* b) { fc_args(b, Net::kGoogLeNet); }
void inception_v3_fcs(benchmark::internal::Benchmark* b) { fc_args(b, Net::kInceptionV3); }

ConvShape conv_shape_of(const benchmark::State& state, Net net) {
  ConvShape s{"",
              int32_t(state.range(0)),
              int32_t(state.range(1)),
              int32_t(state.range(2)),
              int32_t(state.range(3)),
              int32_t(state.range(4)),
              int32_t(state.range(5)),
              int32_t(state.range(6)),
              int32_t(state.range(7)),
              int32_t(state.range(8)),
              1};
  for (const ConvShape& e : conv_shapes(net))
    if (conv_key(e) == conv_key(s))
      return ConvShape{
          e.name + count_suffix(e.count), s.h, s.w, s.cin, s.cout, s.kh, s.kw, s.stride, s.ph, s.pw, e.count};
  return s;
}

PoolShape pool_shape_of(const benchmark::State& state, Net net, bool max_pool) {
  PoolShape s{"",
              int32_t(state.range(0)),
              int32_t(state.range(1)),
              int32_t(state.range(2)),
              int32_t(state.range(3)),
              int32_t(state.range(4)),
              int32_t(state.range(5)),
              state.range(6) != 0,
              1};
  for (const PoolShape& e : max_pool ? max_pool_shapes(net) : avg_pool_shapes(net))
    if (pool_key(e) == pool_key(s)) {
      s.name = e.name + count_suffix(e.count);
      s.count = e.count;
    }
  return s;
}

FcShape fc_shape_of(const benchmark::State& state, Net net) {
  FcShape s{"", int32_t(state.range(0)), int32_t(state.range(1)), 1};
  for (const FcShape& e : fc_shapes(net))
    if (e.in == s.in && e.out == s.out) s.name = e.name;
  return s;
}

}  // namespace incept::bench
