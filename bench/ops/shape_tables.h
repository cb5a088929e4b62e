// SPDX-License-Identifier: Apache-2.0
// The layer tables behind inception_shapes.h, built as each network is built (a stem, then one call per
// block): GoogLeNet and Inception-v3 (torchvision) in inception_shapes.cc, Inception-v4 and
// Inception-ResNet-v2 (timm) in inception_shapes_timm.cc. Internal to bench/ops.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "inception_shapes.h"

namespace incept::bench {

template <typename T, typename Key>
inline void add_unique(std::vector<T>* v, T s, Key key) {
  for (T& e : *v) {
    if (key(e) == key(s)) {
      ++e.count;
      return;
    }
  }
  v->push_back(std::move(s));
}

inline auto conv_key(const ConvShape& s) {
  return std::make_tuple(s.h, s.w, s.cin, s.cout, s.kh, s.kw, s.stride, s.ph, s.pw);
}
inline auto pool_key(const PoolShape& s) { return std::make_tuple(s.h, s.w, s.c, s.k, s.stride, s.pad, s.ceil_mode); }

struct Tables {
  std::vector<ConvShape> conv;
  std::vector<PoolShape> max_pool, avg_pool;
  std::vector<FcShape> fc;

  // (kh, kw) kernel with PyTorch's symmetric padding (ph, pw).
  void add_conv(const std::string& name, int32_t hw, int32_t cin, int32_t cout, int32_t kh, int32_t kw,
                int32_t stride = 1, int32_t ph = 0, int32_t pw = 0) {
    add_unique(&conv, ConvShape{name, hw, hw, cin, cout, kh, kw, stride, ph, pw, 1}, conv_key);
  }
  void add_max_pool(const std::string& name, int32_t hw, int32_t c, int32_t k, int32_t stride, int32_t pad, bool ceil) {
    add_unique(&max_pool, PoolShape{name, hw, hw, c, k, stride, pad, ceil, 1}, pool_key);
  }
  void add_avg_pool(const std::string& name, int32_t hw, int32_t c) {  // Inception-v3 branch_pool: 3x3 s1 p1
    add_unique(&avg_pool, PoolShape{name, hw, hw, c, 3, 1, 1, false, 1}, pool_key);
  }
};

Tables make_googlenet();
Tables make_inception_v3();
Tables make_inception_v4();
Tables make_inception_resnet_v2();

}  // namespace incept::bench
