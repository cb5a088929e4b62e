// SPDX-License-Identifier: Apache-2.0
#include "op_registry.h"

#include <array>
#include <cstdio>
#include <deque>
#include <vector>

#include "isa/isa_table.h"
#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif

namespace incept::ops {
namespace {

const OpDef* const kOwnDefs[] = {
#define INCEPT_OP(Name, snake) &snake##_op_def,
#include "op_list.inc"
#undef INCEPT_OP
};
constexpr size_t kNumOps = sizeof(kOwnDefs) / sizeof(kOwnDefs[0]);

// Every op's full kernel list, made once: a native kernel per ISA table that has its part, then the
// fixed kernels. The deques keep every Kernel and name where it was made.
struct Registry {
  std::array<OpDef, kNumOps> defs;
  std::deque<Kernel> made;
  std::deque<std::array<char, 48>> names;
  std::array<std::vector<const Kernel*>, kNumOps> lists;
};

void add_natives(const OpDef& own, const IsaTable& t, Registry* r, std::vector<const Kernel*>* list) {
  for (int i = 0; i < own.num_natives; ++i) {
    const NativeKernel& n = own.natives[i];
    if (!t.has(n.part)) continue;
    char tile[16];
    t.tile_name(n.part, tile, sizeof(tile));
    std::array<char, 48>& name = r->names.emplace_back();
    if (!kernel_name(name.data(), name.size(), own.snake, n.types.input, n.impl, tile, isa_name(t.isa))) continue;
    r->made.push_back(
        Kernel{name.data(), KernelFamily::kNative, t.isa, n.create, n.setup, n.run, n.fuses_residual, 0, n.types, &t});
    list->push_back(&r->made.back());
  }
}

Registry build() {
  Registry r;
  for (size_t op = 0; op < kNumOps; ++op) {
    const OpDef& own = *kOwnDefs[op];
    std::vector<const Kernel*>& list = r.lists[op];
    for (const IsaTable* t : isa_tables()) add_natives(own, *t, &r, &list);
    for (int i = 0; i < own.num_fixed; ++i) list.push_back(own.fixed[i]);
    r.defs[op] = own;
    r.defs[op].kernels = list.data();
    r.defs[op].num_kernels = static_cast<int>(list.size());
  }
  return r;
}

const Registry& registry() {
  static const Registry r = build();
  return r;
}

}  // namespace

const OpDef& op_def(OpKind kind) {
  const size_t i = static_cast<size_t>(kind);
  return registry().defs[i < kNumOps ? i : 0];  // the loader only makes listed kinds
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

const char* data_type_name(DataType t) {
  switch (t) {
    case DataType::kNone: return "";
    case DataType::kF32: return "f32";
    case DataType::kQ8: return "q8";
    case DataType::kQU8: return "qu8";
    case DataType::kQS8: return "qs8";
  }
  return "?";
}

bool kernel_name(char* buf, size_t size, const char* op, DataType dtype, const char* impl, const char* tile,
                 const char* isa) {
  const char* const parts[] = {op, data_type_name(dtype), impl, tile, isa};
  size_t used = 0;
  if (size == 0) return false;
  buf[0] = '\0';
  for (const char* part : parts) {
    if (part == nullptr || part[0] == '\0') continue;
    const int n = std::snprintf(buf + used, size - used, used == 0 ? "%s" : "_%s", part);
    if (n < 0 || static_cast<size_t>(n) >= size - used) return false;
    used += static_cast<size_t>(n);
  }
  return true;
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
  for (size_t op = 0; op < kNumOps; ++op) {
    const OpDef& d = op_def(static_cast<OpKind>(op));
    for (int i = 0; i < d.num_kernels; ++i)
      if (d.kernels[i]->family == f && kernel_usable(*d.kernels[i])) return true;
  }
  return false;
}

}  // namespace incept::ops
