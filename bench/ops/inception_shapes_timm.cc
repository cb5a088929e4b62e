// SPDX-License-Identifier: Apache-2.0
// timm's Inception-v4 and Inception-ResNet-v2 conv layers at 299 x 299 (see shape_tables.h), named after
// timm's modules. Pools and the classifier are those of the other nets in kind; only convs are listed.
#include "shape_tables.h"

namespace incept::bench {

// timm inception_v4: stem with two concats, 4 x Inception-A (35), Reduction-A, 7 x Inception-B (17),
// Reduction-B, 3 x Inception-C (8).
Tables make_inception_v4() {
  Tables t;
  t.add_conv("features.0", 299, 3, 32, 3, 3, 2);
  t.add_conv("features.1", 149, 32, 32, 3, 3);
  t.add_conv("features.2", 147, 32, 64, 3, 3, 1, 1, 1);
  t.add_conv("features.3.conv", 147, 64, 96, 3, 3, 2);    // Mixed3a (beside a max pool)
  t.add_conv("features.4.branch0.0", 73, 160, 64, 1, 1);  // Mixed4a
  t.add_conv("features.4.branch0.1", 73, 64, 96, 3, 3);
  t.add_conv("features.4.branch1.0", 73, 160, 64, 1, 1);
  t.add_conv("features.4.branch1.1", 73, 64, 64, 1, 7, 1, 0, 3);
  t.add_conv("features.4.branch1.2", 73, 64, 64, 7, 1, 1, 3, 0);
  t.add_conv("features.4.branch1.3", 73, 64, 96, 3, 3);
  t.add_conv("features.5.conv", 71, 192, 192, 3, 3, 2);  // Mixed5a
  for (int i = 6; i <= 9; ++i) {                         // Inception-A (384 in)
    const std::string n = "features." + std::to_string(i);
    t.add_conv(n + ".branch0", 35, 384, 96, 1, 1);
    t.add_conv(n + ".branch1.0", 35, 384, 64, 1, 1);
    t.add_conv(n + ".branch1.1", 35, 64, 96, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch2.0", 35, 384, 64, 1, 1);
    t.add_conv(n + ".branch2.1", 35, 64, 96, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch2.2", 35, 96, 96, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch3.1", 35, 384, 96, 1, 1);
  }
  t.add_conv("features.10.branch0", 35, 384, 384, 3, 3, 2);  // Reduction-A
  t.add_conv("features.10.branch1.0", 35, 384, 192, 1, 1);
  t.add_conv("features.10.branch1.1", 35, 192, 224, 3, 3, 1, 1, 1);
  t.add_conv("features.10.branch1.2", 35, 224, 256, 3, 3, 2);
  for (int i = 11; i <= 17; ++i) {  // Inception-B (1024 in)
    const std::string n = "features." + std::to_string(i);
    t.add_conv(n + ".branch0", 17, 1024, 384, 1, 1);
    t.add_conv(n + ".branch1.0", 17, 1024, 192, 1, 1);
    t.add_conv(n + ".branch1.1", 17, 192, 224, 1, 7, 1, 0, 3);
    t.add_conv(n + ".branch1.2", 17, 224, 256, 7, 1, 1, 3, 0);
    t.add_conv(n + ".branch2.0", 17, 1024, 192, 1, 1);
    t.add_conv(n + ".branch2.1", 17, 192, 192, 7, 1, 1, 3, 0);
    t.add_conv(n + ".branch2.2", 17, 192, 224, 1, 7, 1, 0, 3);
    t.add_conv(n + ".branch2.3", 17, 224, 224, 7, 1, 1, 3, 0);
    t.add_conv(n + ".branch2.4", 17, 224, 256, 1, 7, 1, 0, 3);
    t.add_conv(n + ".branch3.1", 17, 1024, 128, 1, 1);
  }
  t.add_conv("features.18.branch0.0", 17, 1024, 192, 1, 1);  // Reduction-B
  t.add_conv("features.18.branch0.1", 17, 192, 192, 3, 3, 2);
  t.add_conv("features.18.branch1.0", 17, 1024, 256, 1, 1);
  t.add_conv("features.18.branch1.1", 17, 256, 256, 1, 7, 1, 0, 3);
  t.add_conv("features.18.branch1.2", 17, 256, 320, 7, 1, 1, 3, 0);
  t.add_conv("features.18.branch1.3", 17, 320, 320, 3, 3, 2);
  for (int i = 19; i <= 21; ++i) {  // Inception-C (1536 in)
    const std::string n = "features." + std::to_string(i);
    t.add_conv(n + ".branch0", 8, 1536, 256, 1, 1);
    t.add_conv(n + ".branch1_0", 8, 1536, 384, 1, 1);
    t.add_conv(n + ".branch1_1a", 8, 384, 256, 1, 3, 1, 0, 1);
    t.add_conv(n + ".branch1_1b", 8, 384, 256, 3, 1, 1, 1, 0);
    t.add_conv(n + ".branch2_0", 8, 1536, 384, 1, 1);
    t.add_conv(n + ".branch2_1", 8, 384, 448, 3, 1, 1, 1, 0);
    t.add_conv(n + ".branch2_2", 8, 448, 512, 1, 3, 1, 0, 1);
    t.add_conv(n + ".branch2_3a", 8, 512, 256, 1, 3, 1, 0, 1);
    t.add_conv(n + ".branch2_3b", 8, 512, 256, 3, 1, 1, 1, 0);
    t.add_conv(n + ".branch3.1", 8, 1536, 256, 1, 1);
  }
  return t;
}

// timm inception_resnet_v2: stem, Mixed_5b, 10 x Block35, Mixed_6a, 20 x Block17, Mixed_7a, 10 x Block8,
// conv2d_7b. The residual blocks' up-projections (1x1 back to the block's width) are linear in the net;
// here they are timed like the rest.
Tables make_inception_resnet_v2() {
  Tables t;
  t.add_conv("conv2d_1a", 299, 3, 32, 3, 3, 2);
  t.add_conv("conv2d_2a", 149, 32, 32, 3, 3);
  t.add_conv("conv2d_2b", 147, 32, 64, 3, 3, 1, 1, 1);
  t.add_conv("conv2d_3b", 73, 64, 80, 1, 1);
  t.add_conv("conv2d_4a", 73, 80, 192, 3, 3);
  t.add_conv("mixed_5b.branch0", 35, 192, 96, 1, 1);
  t.add_conv("mixed_5b.branch1.0", 35, 192, 48, 1, 1);
  t.add_conv("mixed_5b.branch1.1", 35, 48, 64, 5, 5, 1, 2, 2);
  t.add_conv("mixed_5b.branch2.0", 35, 192, 64, 1, 1);
  t.add_conv("mixed_5b.branch2.1", 35, 64, 96, 3, 3, 1, 1, 1);
  t.add_conv("mixed_5b.branch2.2", 35, 96, 96, 3, 3, 1, 1, 1);
  t.add_conv("mixed_5b.branch3.1", 35, 192, 64, 1, 1);
  for (int i = 0; i < 10; ++i) {  // Block35 (320 wide)
    const std::string n = "repeat." + std::to_string(i);
    t.add_conv(n + ".branch0", 35, 320, 32, 1, 1);
    t.add_conv(n + ".branch1.0", 35, 320, 32, 1, 1);
    t.add_conv(n + ".branch1.1", 35, 32, 32, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch2.0", 35, 320, 32, 1, 1);
    t.add_conv(n + ".branch2.1", 35, 32, 48, 3, 3, 1, 1, 1);
    t.add_conv(n + ".branch2.2", 35, 48, 64, 3, 3, 1, 1, 1);
    t.add_conv(n + ".conv2d", 35, 128, 320, 1, 1);
  }
  t.add_conv("mixed_6a.branch0", 35, 320, 384, 3, 3, 2);
  t.add_conv("mixed_6a.branch1.0", 35, 320, 256, 1, 1);
  t.add_conv("mixed_6a.branch1.1", 35, 256, 256, 3, 3, 1, 1, 1);
  t.add_conv("mixed_6a.branch1.2", 35, 256, 384, 3, 3, 2);
  for (int i = 0; i < 20; ++i) {  // Block17 (1088 wide)
    const std::string n = "repeat_1." + std::to_string(i);
    t.add_conv(n + ".branch0", 17, 1088, 192, 1, 1);
    t.add_conv(n + ".branch1.0", 17, 1088, 128, 1, 1);
    t.add_conv(n + ".branch1.1", 17, 128, 160, 1, 7, 1, 0, 3);
    t.add_conv(n + ".branch1.2", 17, 160, 192, 7, 1, 1, 3, 0);
    t.add_conv(n + ".conv2d", 17, 384, 1088, 1, 1);
  }
  t.add_conv("mixed_7a.branch0.0", 17, 1088, 256, 1, 1);
  t.add_conv("mixed_7a.branch0.1", 17, 256, 384, 3, 3, 2);
  t.add_conv("mixed_7a.branch1.0", 17, 1088, 256, 1, 1);
  t.add_conv("mixed_7a.branch1.1", 17, 256, 288, 3, 3, 2);
  t.add_conv("mixed_7a.branch2.0", 17, 1088, 256, 1, 1);
  t.add_conv("mixed_7a.branch2.1", 17, 256, 288, 3, 3, 1, 1, 1);
  t.add_conv("mixed_7a.branch2.2", 17, 288, 320, 3, 3, 2);
  for (int i = 0; i < 10; ++i) {  // Block8 (2080 wide)
    const std::string n = i < 9 ? "repeat_2." + std::to_string(i) : std::string("block8");
    t.add_conv(n + ".branch0", 8, 2080, 192, 1, 1);
    t.add_conv(n + ".branch1.0", 8, 2080, 192, 1, 1);
    t.add_conv(n + ".branch1.1", 8, 192, 224, 1, 3, 1, 0, 1);
    t.add_conv(n + ".branch1.2", 8, 224, 256, 3, 1, 1, 1, 0);
    t.add_conv(n + ".conv2d", 8, 448, 2080, 1, 1);
  }
  t.add_conv("conv2d_7b", 8, 2080, 1536, 1, 1);
  return t;
}

}  // namespace incept::bench
