// SPDX-License-Identifier: Apache-2.0
// Model loading: the only place (with parse_ops.cc) that sees the FlatBuffers schema. Checks run in a
// fixed order, each assuming the previous ones passed:
//   1. size: big enough for the size prefix and identifier; the file identifier "INCP"; the prefix fits
//      inside the file
//   2. the format version (read through a verifier-checked field)
//   3. flatbuffers::Verifier over the whole FlatBuffer
//   4. semantics: tensors (rank, dims, dtype: float16 only for weights, uint8 only for activations, INT8
//      weights' per-channel scales, 8-bit activations' QuantParams; byte sizes vs buffers inside the data
//      section), graph inputs/outputs, ops (arity, constant vs activation inputs, producers before
//      consumers), then the 8-bit rules (float32 graph outputs; a concat's inputs quantised as its output)
//   5. parse_<op>: option ranges into plain params (parse_ops.cc)
// Shape inference against the stored shapes happens in Interpreter::prepare().
#include <cinttypes>
#include <cmath>
#include <cstring>

#include "incept/schema/model_generated.h"
#include "incept/text.h"
#include "loader/graph.h"
#include "loader/parse_ops.h"

namespace incept::detail {
namespace {

constexpr size_t kPrefixBytes = sizeof(flatbuffers::uoffset_t);
constexpr size_t kMinFileBytes = kPrefixBytes + 8;  // prefix, root offset, identifier
constexpr size_t kWeightAlignment = 64;
// Element cap per tensor: keeps every byte size far from overflow on 32- and 64-bit targets.
constexpr int64_t kMaxElements = int64_t{1} << 30;

const char* str_or_empty(const flatbuffers::String* s) { return s != nullptr ? s->c_str() : ""; }

Status check_size_and_identifier(const uint8_t* bytes, size_t size, size_t* fb_end) {
  INCEPT_CHECK(bytes != nullptr, kInvalidArgument, "model bytes are null");
  INCEPT_CHECK(size >= kMinFileBytes, kInvalidModel,
               "file is %zu bytes, smaller than the %zu-byte minimum of a size-prefixed model", size, kMinFileBytes);
  // The identifier first: any other file (text, an image, ONNX) is named as not ours, not as a size mismatch.
  INCEPT_CHECK(flatbuffers::BufferHasIdentifier(bytes, fb::ModelIdentifier(), /*size_prefixed=*/true), kInvalidModel,
               "not an incept model file (file identifier is '%s', expected 'INCP')",
               escape_bytes(std::string_view(reinterpret_cast<const char*>(bytes + kPrefixBytes + 4), 4)).c_str());
  const uint32_t fb_size = flatbuffers::ReadScalar<uint32_t>(bytes);
  INCEPT_CHECK(fb_size >= 8 && fb_size <= size - kPrefixBytes, kInvalidModel,
               "size prefix says the FlatBuffer is %" PRIu32
               " bytes but the file holds %zu after the prefix (truncated)",
               fb_size, size - kPrefixBytes);
  *fb_end = kPrefixBytes + fb_size;
  return Status::ok();
}

// Reads Model.version after checking just the root offset, root table and that one field.
Status check_version(const uint8_t* fb, size_t fb_size) {
  const uint32_t root = flatbuffers::ReadScalar<uint32_t>(fb);
  INCEPT_CHECK(root % 4 == 0 && root >= 8 && root <= fb_size - 4, kInvalidModel,
               "root table offset %" PRIu32 " is outside the %zu-byte FlatBuffer", root, fb_size);
  flatbuffers::Verifier v(fb, fb_size);
  const flatbuffers::Table* root_table = flatbuffers::GetRoot<flatbuffers::Table>(fb);
  INCEPT_CHECK(root_table->VerifyTableStart(v) && root_table->VerifyField<uint32_t>(v, fb::Model::VT_VERSION, 4),
               kInvalidModel, "root table is malformed (its vtable lies outside the file)");
  const uint32_t version = flatbuffers::GetRoot<fb::Model>(fb)->version();
  INCEPT_CHECK(version >= 1 && version <= kFormatVersion, kInvalidModel,
               "format version %" PRIu32 " is not supported: this runtime reads versions 1..%" PRIu32
               " (convert the model again or update incept)",
               version, kFormatVersion);
  return Status::ok();
}

// An 8-bit activation's (scale, zero point): present, the scale finite and > 0, the zero point in the range of
// the tensor's storage type.
Status load_quant(const fb::QuantParams* quant, uint32_t i, TensorInfo& info) {
  const char* name = info.shown.c_str();
  const char* type = storage_name(info.storage);
  INCEPT_CHECK(quant != nullptr, kInvalidModel, "tensor %u '%s': a %s activation without QuantParams", i, name, type);
  const float scale = quant->scale();
  const int32_t zp = quant->zero_point();
  INCEPT_CHECK(std::isfinite(scale) && scale > 0.0f, kInvalidModel,
               "tensor %u '%s': quantisation scale is %g; it must be finite and > 0", i, name,
               static_cast<double>(scale));
  const int32_t lo = info.storage == Storage::kUInt8 ? 0 : -128, hi = info.storage == Storage::kUInt8 ? 255 : 127;
  INCEPT_CHECK(zp >= lo && zp <= hi, kInvalidModel, "tensor %u '%s': zero point %d is outside the %s range [%d, %d]", i,
               name, zp, type, lo, hi);
  info.quant = QuantParams{scale, zp};
  return Status::ok();
}

Status load_tensors(const fb::Model& m, const uint8_t* bytes, size_t size, size_t fb_end, const LoadOptions& caps,
                    ModelData* out) {
  const auto* tensors = m.tensors();
  INCEPT_CHECK(tensors != nullptr && tensors->size() > 0, kInvalidModel, "model has no tensors");
  INCEPT_CHECK(tensors->size() <= caps.max_tensors, kInvalidModel,
               "model has %u tensors, over the cap of %" PRIu32 " (LoadOptions::max_tensors)", tensors->size(),
               caps.max_tensors);
  const auto* buffers = m.buffers();
  const uint32_t num_buffers = buffers != nullptr ? buffers->size() : 0;
  // The verifier checks vectors for 4-byte alignment only; Buffer structs hold 64-bit fields.
  INCEPT_CHECK(num_buffers == 0 || reinterpret_cast<uintptr_t>(buffers->Data()) % alignof(fb::Buffer) == 0,
               kInvalidModel, "the buffer table at file offset %zu is not %zu-byte aligned (file damaged)",
               static_cast<size_t>(buffers->Data() - bytes), alignof(fb::Buffer));
  out->tensors.resize(tensors->size());
  for (uint32_t i = 0; i < tensors->size(); ++i) {
    const fb::Tensor* t = tensors->Get(i);
    TensorInfo& info = out->tensors[i];
    info.name = str_or_empty(t->name());
    info.shown = escape_bytes(info.name);
    const char* name = info.shown.c_str();
    const auto* shape = t->shape();
    INCEPT_CHECK(shape != nullptr, kInvalidModel, "tensor %u '%s': missing shape", i, name);
    INCEPT_CHECK(shape->size() >= 1 && shape->size() <= static_cast<uint32_t>(Shape::kMaxRank), kInvalidModel,
                 "tensor %u '%s': rank %u is out of range 1..%d", i, name, shape->size(), Shape::kMaxRank);
    info.shape.rank = static_cast<int>(shape->size());
    for (uint32_t d = 0; d < shape->size(); ++d) {
      const int32_t v = shape->Get(d);
      INCEPT_CHECK(v >= 1, kInvalidModel, "tensor %u '%s': dim %u is %d; dims must be >= 1", i, name, d, v);
      info.shape.dims[d] = v;
    }
    info.num_elements = checked_num_elements(info.shape, kMaxElements);
    INCEPT_CHECK(info.num_elements > 0, kInvalidModel,
                 "tensor %u '%s': element count overflows the limit of %" PRId64 " elements", i, name, kMaxElements);
    const int dtype = static_cast<int>(t->dtype());
    INCEPT_CHECK(dtype >= 0 && dtype <= static_cast<int>(fb::DType::MAX), kInvalidModel,
                 "tensor %u '%s': dtype %d is not one this runtime reads (0 FLOAT32, 1 FLOAT16, 2 INT8, 3 UINT8; a "
                 "newer converter wrote it?)",
                 i, name, dtype);
    info.storage = static_cast<Storage>(dtype);
    const int32_t b = t->buffer();
    const auto* scales = t->scales();
    const fb::QuantParams* quant = t->quant();
    if (b == -1) {
      INCEPT_CHECK(info.storage != Storage::kFloat16, kInvalidModel,
                   "tensor %u '%s': an activation stored as float16; activations are float32, int8 or uint8", i, name);
      INCEPT_CHECK(scales == nullptr, kInvalidModel,
                   "tensor %u '%s': an activation with %u per-channel scales (activations have one QuantParams)", i,
                   name, scales->size());
      if (info.storage == Storage::kFloat32) {
        INCEPT_CHECK(quant == nullptr, kInvalidModel,
                     "tensor %u '%s': a float32 activation with QuantParams (only 8-bit activations have them)", i,
                     name);
        continue;
      }
      INCEPT_RETURN_IF_ERROR(load_quant(quant, i, info));
      continue;
    }
    INCEPT_CHECK(info.storage != Storage::kUInt8, kInvalidModel,
                 "tensor %u '%s': a constant stored as uint8; weights are float32, float16 or int8", i, name);
    INCEPT_CHECK(quant == nullptr, kInvalidModel,
                 "tensor %u '%s': a constant with QuantParams (int8 weights have per-channel scales instead)", i, name);
    INCEPT_CHECK(b >= 0 && static_cast<uint32_t>(b) < num_buffers, kInvalidModel,
                 "tensor %u '%s': buffer index %d is out of range (model has %u buffers)", i, name, b, num_buffers);
    if (info.storage == Storage::kInt8) {
      const uint32_t channels = static_cast<uint32_t>(info.shape[0]);
      INCEPT_CHECK(scales != nullptr && scales->size() == channels, kInvalidModel,
                   "tensor %u '%s': INT8 weights need one scale per output channel (%u), the file has %u", i, name,
                   channels, scales != nullptr ? scales->size() : 0u);
      for (uint32_t c = 0; c < channels; ++c) {
        const float s = scales->Get(c);
        INCEPT_CHECK(std::isfinite(s) && s > 0.0f, kInvalidModel,
                     "tensor %u '%s': scale %u is %g; INT8 scales must be finite and > 0", i, name, c,
                     static_cast<double>(s));
      }
      info.scales = scales->data();
    } else {
      INCEPT_CHECK(scales == nullptr, kInvalidModel, "tensor %u '%s': %s weights with %u scales (only INT8 has scales)",
                   i, name, storage_name(info.storage), scales->size());
    }
    const fb::Buffer* buf = buffers->Get(static_cast<uint32_t>(b));
    const uint64_t off = buf->offset(), len = buf->size();
    const uint64_t element_bytes = info.storage == Storage::kFloat32 ? 4 : info.storage == Storage::kFloat16 ? 2 : 1;
    const uint64_t want = static_cast<uint64_t>(info.num_elements) * element_bytes;
    INCEPT_CHECK(len == want, kInvalidModel,
                 "tensor %u '%s': buffer %d holds %" PRIu64 " bytes but shape needs %" PRIu64 " bytes (%s)", i, name, b,
                 len, want, storage_name(info.storage));
    INCEPT_CHECK(off % kWeightAlignment == 0, kInvalidModel,
                 "tensor %u '%s': buffer %d offset %" PRIu64 " is not a multiple of %zu", i, name, b, off,
                 kWeightAlignment);
    INCEPT_CHECK(off >= fb_end && len <= size && off <= size - len, kInvalidModel,
                 "tensor %u '%s': buffer %d [%" PRIu64 ", +%" PRIu64 ") lies outside the data section [%zu, %zu)", i,
                 name, b, off, len, fb_end, size);
    info.raw = bytes + off;
    info.raw_bytes = static_cast<size_t>(len);
    if (info.storage == Storage::kFloat32) info.data = reinterpret_cast<const float*>(info.raw);
    out->weights_bytes += static_cast<size_t>(len);
    INCEPT_CHECK(out->weights_bytes <= caps.max_weights_bytes, kInvalidModel,
                 "model weights need at least %zu bytes, over the cap of %" PRIu64 " (LoadOptions::max_weights_bytes)",
                 out->weights_bytes, caps.max_weights_bytes);
  }
  return Status::ok();
}

Status load_index_list(const flatbuffers::Vector<int32_t>* list, const char* what, const ModelData& d,
                       std::vector<int>* out) {
  INCEPT_CHECK(list != nullptr && list->size() > 0, kInvalidModel, "model has no graph %s", what);
  for (uint32_t k = 0; k < list->size(); ++k) {
    const int32_t t = list->Get(k);
    INCEPT_CHECK(t >= 0 && static_cast<size_t>(t) < d.tensors.size(), kInvalidModel,
                 "graph %s %u: tensor index %d is out of range (model has %zu tensors)", what, k, t, d.tensors.size());
    INCEPT_CHECK(!d.tensors[t].is_constant(), kInvalidModel, "graph %s %u: tensor %d '%s' is a constant", what, k, t,
                 d.tensors[t].shown.c_str());
    for (int prev : *out) INCEPT_CHECK(prev != t, kInvalidModel, "graph %s %u: tensor %d is listed twice", what, k, t);
    out->push_back(t);
  }
  return Status::ok();
}

Status load_metadata(const fb::Model& m, ModelData* out) {
  const fb::Metadata* md = m.metadata();
  if (md == nullptr) return Status::ok();
  out->architecture = str_or_empty(md->architecture());
  out->producer = str_or_empty(md->producer());
  if (const fb::Size2D* s = md->input_size()) {
    INCEPT_CHECK(s->h() >= 0 && s->w() >= 0, kInvalidModel, "metadata: input_size %dx%d is negative", s->h(), s->w());
    out->input_height = s->h();
    out->input_width = s->w();
  }
  for (int which = 0; which < 2; ++which) {
    const auto* v = which == 0 ? md->mean() : md->std();
    if (v == nullptr) continue;
    INCEPT_CHECK(v->size() == 3, kInvalidModel, "metadata: %s has %u values, expected 3", which == 0 ? "mean" : "std",
                 v->size());
    for (uint32_t c = 0; c < 3; ++c) {
      const float x = v->Get(c);
      INCEPT_CHECK(x == x && (which == 0 || x > 0.0f), kInvalidModel, "metadata: %s[%u] = %g is not valid",
                   which == 0 ? "mean" : "std", c, static_cast<double>(x));
      (which == 0 ? out->mean : out->std_dev)[c] = x;
    }
  }
  INCEPT_CHECK(md->channel_order() == fb::ChannelOrder::RGB || md->channel_order() == fb::ChannelOrder::BGR,
               kInvalidModel, "metadata: channel_order %d is out of range", static_cast<int>(md->channel_order()));
  out->channel_order = md->channel_order() == fb::ChannelOrder::BGR ? ChannelOrder::kBgr : ChannelOrder::kRgb;
  if (const auto* labels = md->labels()) {
    out->labels.reserve(labels->size());
    for (uint32_t i = 0; i < labels->size(); ++i) out->labels.emplace_back(str_or_empty(labels->Get(i)));
  }
  return Status::ok();
}

// Producers before consumers: an activation is written by exactly one op (or is a graph input) and
// read only after that. With ops in file order this also rules out cycles.
Status check_dataflow(ModelData* d) {
  std::vector<int> producer(d->tensors.size(), -2);  // -2: nobody, -1: graph input, k: op k
  for (int t : d->inputs) producer[t] = -1;
  for (size_t k = 0; k < d->ops.size(); ++k) {
    const OpNode& op = d->ops[k];
    for (size_t j = 0; j < op.inputs.size(); ++j) {
      const int t = op.inputs[j];
      if (t < 0 || d->tensors[t].is_constant()) continue;
      INCEPT_CHECK(producer[t] != -2, kInvalidModel, "%s: input %zu (tensor %d '%s') is used before any op produces it",
                   op.label.c_str(), j, t, d->tensors[t].shown.c_str());
    }
    for (int t : op.outputs) {
      INCEPT_CHECK(producer[t] == -2, kInvalidModel, "%s: output tensor %d '%s' is already produced by %s",
                   op.label.c_str(), t, d->tensors[t].shown.c_str(),
                   producer[t] == -1 ? "the graph input" : d->ops[producer[t]].label.c_str());
      producer[t] = static_cast<int>(k);
    }
  }
  for (int t : d->outputs)
    INCEPT_CHECK(producer[t] >= 0, kInvalidModel, "graph output tensor %d '%s' is not produced by any op", t,
                 d->tensors[t].shown.c_str());
  return Status::ok();
}

// The rules 8-bit activations add (schema/model.fbs, DType): graph outputs are float32 (the API gives float
// out), and a Concat's inputs share its output's storage type and QuantParams, so that each producer writes
// its slice in the concat's own quantisation (free concat).
Status check_quantised_types(const ModelData& d) {
  for (int t : d.outputs)
    INCEPT_CHECK(!d.tensors[t].is_8bit_activation(), kInvalidModel,
                 "graph output tensor %d '%s' is %s; graph outputs must be float32", t, d.tensors[t].shown.c_str(),
                 storage_name(d.tensors[t].storage));
  for (const OpNode& op : d.ops) {
    if (op.kind != OpKind::kConcat) continue;
    const TensorInfo& out = d.tensors[op.outputs[0]];
    for (size_t j = 0; j < op.inputs.size(); ++j) {
      const TensorInfo& in = d.tensors[op.inputs[j]];
      INCEPT_CHECK(in.storage == out.storage, kInvalidModel,
                   "%s: input %zu '%s' is %s but the output is %s; a concat's inputs share its output's type",
                   op.label.c_str(), j, in.shown.c_str(), storage_name(in.storage), storage_name(out.storage));
      INCEPT_CHECK(in.quant == out.quant, kInvalidModel,
                   "%s: input %zu '%s' has scale %g and zero point %d but the output has %g and %d; a concat's "
                   "inputs share its output's QuantParams",
                   op.label.c_str(), j, in.shown.c_str(), static_cast<double>(in.quant.scale), in.quant.zero_point,
                   static_cast<double>(out.quant.scale), out.quant.zero_point);
    }
  }
  return Status::ok();
}

Status load_ops(const fb::Model& m, const LoadOptions& caps, ModelData* d) {
  const auto* ops = m.operators();
  INCEPT_CHECK(ops != nullptr && ops->size() > 0, kInvalidModel, "model has no operators");
  INCEPT_CHECK(ops->size() <= caps.max_ops, kInvalidModel,
               "model has %u operators, over the cap of %" PRIu32 " (LoadOptions::max_ops)", ops->size(), caps.max_ops);
  d->ops.resize(ops->size());
  for (uint32_t k = 0; k < ops->size(); ++k) INCEPT_RETURN_IF_ERROR(parse_operator(*ops->Get(k), k, *d, &d->ops[k]));
  return Status::ok();
}

}  // namespace

ModelData::~ModelData() { release_mapping(mapping, mapping_size); }

Status load_model(const uint8_t* bytes, size_t size, const LoadOptions& options, ModelData* out) {
  size_t fb_end = 0;
  INCEPT_RETURN_IF_ERROR(check_size_and_identifier(bytes, size, &fb_end));
  const uint8_t* fb = bytes + kPrefixBytes;
  const size_t fb_size = fb_end - kPrefixBytes;
  INCEPT_RETURN_IF_ERROR(check_version(fb, fb_size));
  flatbuffers::Verifier verifier(bytes, fb_end);
  INCEPT_CHECK(
      fb::VerifySizePrefixedModelBuffer(verifier), kInvalidModel,
      "FlatBuffer verification failed: an offset, vector or string in the %zu-byte model table lies outside it "
      "or is misaligned (file corrupt)",
      fb_size);
  const fb::Model& m = *fb::GetSizePrefixedModel(bytes);
  out->bytes = bytes;
  out->size = size;
  INCEPT_RETURN_IF_ERROR(load_tensors(m, bytes, size, fb_end, options, out));
  INCEPT_RETURN_IF_ERROR(load_index_list(m.inputs(), "input", *out, &out->inputs));
  INCEPT_RETURN_IF_ERROR(load_index_list(m.outputs(), "output", *out, &out->outputs));
  INCEPT_RETURN_IF_ERROR(load_ops(m, options, out));
  INCEPT_RETURN_IF_ERROR(check_dataflow(out));
  INCEPT_RETURN_IF_ERROR(check_quantised_types(*out));
  return load_metadata(m, out);
}

}  // namespace incept::detail
