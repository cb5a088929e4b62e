// SPDX-License-Identifier: Apache-2.0
// Schema options -> ops::*Params, with every field and range checked (messages: what, where, found, rule).
#include <cmath>
#include <cstdio>

#include "incept/schema/model_generated.h"
#include "incept/text.h"
#include "loader/parse_ops.h"

namespace incept::detail {
namespace {

// Generous bounds: far beyond any Inception layer, small enough that no arithmetic overflows.
constexpr int32_t kMaxWindow = 1 << 12;
constexpr int32_t kMaxPad = 1 << 12;

Status parse_activation(fb::Activation a, const OpNode& n, ops::Activation* out) {
  switch (a) {
    case fb::Activation::NONE: *out = ops::Activation::kNone; return Status::ok();
    case fb::Activation::RELU: *out = ops::Activation::kRelu; return Status::ok();
  }
  return Status::error(StatusCode::kInvalidModel, "%s: activation %d is not a known activation", n.label.c_str(),
                       static_cast<int>(a));
}

Status parse_size(const fb::Size2D* s, const char* field, int32_t min, const OpNode& n, ops::Size2D* out) {
  INCEPT_CHECK(s != nullptr, kInvalidModel, "%s: missing %s", n.label.c_str(), field);
  INCEPT_CHECK(s->h() >= min && s->w() >= min && s->h() <= kMaxWindow && s->w() <= kMaxWindow, kInvalidModel,
               "%s: %s must be within %dx%d..%dx%d, got %dx%d", n.label.c_str(), field, min, min, kMaxWindow,
               kMaxWindow, s->h(), s->w());
  *out = {s->h(), s->w()};
  return Status::ok();
}

Status parse_pad(const fb::Pad2D* p, const OpNode& n, ops::Pad2D* out) {
  INCEPT_CHECK(p != nullptr, kInvalidModel, "%s: missing pad", n.label.c_str());
  const int32_t v[4] = {p->top(), p->bottom(), p->left(), p->right()};
  for (int32_t x : v)
    INCEPT_CHECK(x >= 0 && x <= kMaxPad, kInvalidModel,
                 "%s: pads must be within 0..%d, got top %d bottom %d left %d right %d", n.label.c_str(), kMaxPad, v[0],
                 v[1], v[2], v[3]);
  *out = {v[0], v[1], v[2], v[3]};
  return Status::ok();
}

template <typename Options>
const Options* options_or_null(const fb::Operator& op);
#define INCEPT_OP(Name, snake)                                                          \
  template <>                                                                           \
  const fb::Name##Options* options_or_null<fb::Name##Options>(const fb::Operator& op) { \
    return op.options_as_##Name##Options();                                             \
  }
#include "op_list.inc"
#undef INCEPT_OP

Status parse_conv2d(const fb::Conv2DOptions& o, const OpNode& n, ops::Conv2DParams* p) {
  INCEPT_RETURN_IF_ERROR(parse_size(o.kernel(), "kernel", 1, n, &p->kernel));
  INCEPT_RETURN_IF_ERROR(parse_size(o.stride(), "stride", 1, n, &p->stride));
  INCEPT_RETURN_IF_ERROR(parse_size(o.dilation(), "dilation", 1, n, &p->dilation));
  INCEPT_RETURN_IF_ERROR(parse_pad(o.pad(), n, &p->pad));
  INCEPT_CHECK(o.groups() >= 1, kInvalidModel, "%s: groups must be >= 1, got %d", n.label.c_str(), o.groups());
  p->groups = o.groups();
  return parse_activation(o.activation(), n, &p->activation);
}

Status parse_max_pool2d(const fb::MaxPool2DOptions& o, const OpNode& n, ops::MaxPool2DParams* p) {
  INCEPT_RETURN_IF_ERROR(parse_size(o.kernel(), "kernel", 1, n, &p->kernel));
  INCEPT_RETURN_IF_ERROR(parse_size(o.stride(), "stride", 1, n, &p->stride));
  INCEPT_RETURN_IF_ERROR(parse_pad(o.pad(), n, &p->pad));
  p->ceil_mode = o.ceil_mode();
  return parse_activation(o.activation(), n, &p->activation);
}

Status parse_avg_pool2d(const fb::AvgPool2DOptions& o, const OpNode& n, ops::AvgPool2DParams* p) {
  INCEPT_RETURN_IF_ERROR(parse_size(o.kernel(), "kernel", 1, n, &p->kernel));
  INCEPT_RETURN_IF_ERROR(parse_size(o.stride(), "stride", 1, n, &p->stride));
  INCEPT_RETURN_IF_ERROR(parse_pad(o.pad(), n, &p->pad));
  p->ceil_mode = o.ceil_mode();
  p->count_include_pad = o.count_include_pad();
  return parse_activation(o.activation(), n, &p->activation);
}

Status parse_concat(const fb::ConcatOptions& o, const OpNode& n, ops::ConcatParams* p) {
  INCEPT_CHECK(o.axis() >= -4 && o.axis() <= 3, kInvalidModel, "%s: axis must be within -4..3, got %d", n.label.c_str(),
               o.axis());
  p->axis = o.axis();
  return Status::ok();
}

Status parse_global_avg_pool(const fb::GlobalAvgPoolOptions&, const OpNode&, ops::GlobalAvgPoolParams*) {
  return Status::ok();
}

Status parse_fully_connected(const fb::FullyConnectedOptions& o, const OpNode& n, ops::FullyConnectedParams* p) {
  return parse_activation(o.activation(), n, &p->activation);
}

Status parse_softmax(const fb::SoftmaxOptions& o, const OpNode& n, ops::SoftmaxParams* p) {
  INCEPT_CHECK(std::isfinite(o.beta()) && o.beta() > 0.0f, kInvalidModel, "%s: beta must be finite and > 0, got %g",
               n.label.c_str(), static_cast<double>(o.beta()));
  p->beta = o.beta();
  return Status::ok();
}

Status parse_add(const fb::AddOptions& o, const OpNode& n, ops::AddParams* p) {
  return parse_activation(o.activation(), n, &p->activation);
}

// Rules that keep the base bias + alpha / size * S (S >= 0) finite and > 0, so no 0^beta, no negative base.
Status parse_lrn(const fb::LRNOptions& o, const OpNode& n, ops::LRNParams* p) {
  const char* label = n.label.c_str();
  INCEPT_CHECK(o.size() >= 1 && o.size() <= ops::kMaxLrnSize, kInvalidModel, "%s: size must be within 1..%d, got %d",
               label, ops::kMaxLrnSize, o.size());
  INCEPT_CHECK(std::isfinite(o.alpha()) && o.alpha() >= 0.0f, kInvalidModel,
               "%s: alpha must be finite and >= 0, got %g", label, static_cast<double>(o.alpha()));
  INCEPT_CHECK(std::isfinite(o.beta()), kInvalidModel, "%s: beta must be finite, got %g", label,
               static_cast<double>(o.beta()));
  INCEPT_CHECK(std::isfinite(o.bias()) && o.bias() > 0.0f, kInvalidModel, "%s: bias must be finite and > 0, got %g",
               label, static_cast<double>(o.bias()));
  p->size = o.size();
  p->alpha = o.alpha();
  p->beta = o.beta();
  p->bias = o.bias();
  return Status::ok();
}

// Input arity and roles (activation, weights, optional bias) as the op's OpDef states them.
Status check_operands(const fb::Operator& op, const ModelData& d, OpNode* n) {
  const ops::OpDef& def = ops::op_def(n->kind);
  const auto* ins = op.inputs();
  const auto* outs = op.outputs();
  const char* label = n->label.c_str();
  INCEPT_CHECK(ins != nullptr, kInvalidModel, "%s: missing inputs", label);
  INCEPT_CHECK(outs != nullptr && outs->size() == 1, kInvalidModel, "%s: must have exactly 1 output, got %u", label,
               outs != nullptr ? outs->size() : 0);
  const int num_in = static_cast<int>(ins->size());
  INCEPT_CHECK(num_in >= def.min_inputs && num_in <= def.max_inputs, kInvalidModel, "%s: takes %d..%d inputs, got %d",
               label, def.min_inputs, def.max_inputs, num_in);
  const int num_tensors = static_cast<int>(d.tensors.size());
  for (int j = 0; j < num_in; ++j) {
    const int t = ins->Get(static_cast<uint32_t>(j));
    const ops::InputRole role = ops::input_role(def, j);
    if (t == -1 && role == ops::InputRole::kBias) {
      n->inputs.push_back(-1);
      continue;
    }
    INCEPT_CHECK(t >= 0 && t < num_tensors, kInvalidModel,
                 "%s: input %d: tensor index %d is out of range (model has %d tensors)", label, j, t, num_tensors);
    const bool want_constant = role != ops::InputRole::kActivation;
    INCEPT_CHECK(d.tensors[t].is_constant() == want_constant, kInvalidModel, "%s: input %d (tensor %d '%s') must be %s",
                 label, j, t, d.tensors[t].shown.c_str(),
                 want_constant ? "a constant with data (weights)" : "an activation (no data buffer)");
    n->inputs.push_back(t);
  }
  const int t = outs->Get(0);
  INCEPT_CHECK(t >= 0 && t < num_tensors, kInvalidModel,
               "%s: output tensor index %d is out of range (model has %d tensors)", label, t, num_tensors);
  INCEPT_CHECK(!d.tensors[t].is_constant(), kInvalidModel, "%s: output tensor %d '%s' is a constant", label, t,
               d.tensors[t].shown.c_str());
  n->outputs.push_back(t);
  return Status::ok();
}

// A node's name as messages print it: escaped (escape_bytes), at most 120 bytes, cut at a character
// boundary and marked with "..." when longer.
std::string shown_name(const std::string& name) {
  std::string s = escape_bytes(name);
  if (s.size() <= 120) return s;
  size_t cut = 117;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

}  // namespace

Status parse_operator(const fb::Operator& op, uint32_t index, const ModelData& d, OpNode* n) {
  n->name = op.name() != nullptr ? op.name()->c_str() : "";
  const fb::OpOptions type = op.options_type();
  char label[192];
  switch (type) {
#define INCEPT_OP(Name, snake)                                                                           \
  case fb::OpOptions::Name##Options: {                                                                   \
    n->kind = OpKind::k##Name;                                                                           \
    std::snprintf(label, sizeof(label), "node %u '%s' (%s)", index, shown_name(n->name).c_str(), #Name); \
    n->label = label;                                                                                    \
    const fb::Name##Options* o = options_or_null<fb::Name##Options>(op);                                 \
    INCEPT_CHECK(o != nullptr, kInvalidModel, "%s: missing " #Name "Options", n->label.c_str());         \
    INCEPT_RETURN_IF_ERROR(check_operands(op, d, n));                                                    \
    ops::Name##Params p;                                                                                 \
    INCEPT_RETURN_IF_ERROR(parse_##snake(*o, *n, &p));                                                   \
    n->params = p;                                                                                       \
    return Status::ok();                                                                                 \
  }
#include "op_list.inc"
#undef INCEPT_OP
    default: break;
  }
  return Status::error(StatusCode::kInvalidModel, "node %u '%s': op options type %d is not a known op", index,
                       shown_name(n->name).c_str(), static_cast<int>(type));
}

const char* op_kind_name(OpKind kind) { return ops::op_def(kind).name; }

}  // namespace incept::detail
