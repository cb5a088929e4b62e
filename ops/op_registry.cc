// SPDX-License-Identifier: Apache-2.0
#include "op_registry.h"

#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif

namespace incept::ops {

const OpDef& op_def(OpKind kind) {
  switch (kind) {
#define INCEPT_OP(Name, snake) \
  case OpKind::k##Name: return snake##_op_def;
#include "op_list.inc"
#undef INCEPT_OP
  }
  return conv2d_op_def;   // unreachable: the loader only makes listed kinds
}

const char* kernel_family_name(KernelFamily f) {
  switch (f) {
    case KernelFamily::kRef: return "ref";
    case KernelFamily::kEigen: return "eigen";
    case KernelFamily::kXnnpack: return "xnnpack";
    case KernelFamily::kNative: return "native";
  }
  return "?";
}

bool kernel_usable(const Kernel& k) {
  if (!isa_usable(k.isa)) return false;
#if INCEPT_WITH_XNNPACK
  if (k.family == KernelFamily::kXnnpack) return xnn_ensure_initialized().is_ok();
#else
  if (k.family == KernelFamily::kXnnpack) return false;
#endif
  return true;
}

bool family_usable(KernelFamily f) {
#define INCEPT_OP(Name, snake)                                    \
  for (int i = 0; i < snake##_op_def.num_kernels; ++i) {          \
    const Kernel& k = *snake##_op_def.kernels[i];                 \
    if (k.family == f && kernel_usable(k)) return true;           \
  }
#include "op_list.inc"
#undef INCEPT_OP
  return false;
}

}  // namespace incept::ops
