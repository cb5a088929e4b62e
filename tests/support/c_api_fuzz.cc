// SPDX-License-Identifier: Apache-2.0
#include "support/c_api_fuzz.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif

#include "incept/c_api.h"
#include "support/model_builder.h"
#include "support/seed_models.h"

extern "C" {  // tests/support/c_api_fuzz_calls.c
const char* incept_fuzz_status_name(int code);
void incept_fuzz_set_backend(incept_interpreter_options* o, int backend);
incept_status incept_fuzz_set_input(incept_interpreter* it, int index, const float* data, size_t count, int layout);
}

namespace incept::test {
namespace {

using incept::ops::Activation;

constexpr size_t kMaxBuffer = size_t{1} << 20;  // the largest arena, input or pixel buffer one call gets

// int8 [1, 6, 6, 3] -> 1x1 conv (int8 weights) -> uint8 -> global pool -> float32 FC: an 8-bit image input,
// whose set_input_image leaves the pixels for the next invoke.
std::vector<uint8_t> int8_image_model() {
  ModelBuilder b;
  const int kInt8 = 2, kUInt8 = 3;
  const int x = b.tensor("x", {1, 6, 6, 3});
  b.set_dtype(x, kInt8);
  b.set_quant(x, 0.0173f, -5);
  std::vector<uint8_t> q(4 * 3);
  for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<uint8_t>(static_cast<int8_t>((i * 41) % 255 - 127));
  const int w = b.constant_bytes("c.w", {4, 1, 1, 3}, kInt8, q);
  b.set_scales(w, {0.01f, 0.02f, 0.004f, 0.03f});
  const int c = b.tensor("c", {1, 6, 6, 4});
  b.set_dtype(c, kUInt8);
  b.set_quant(c, 0.0421f, 0);
  b.conv2d("c", x, w, b.constant("c.b", {4}, {0.1f, -0.1f, 0.2f, 0.0f}), c, {1, 1}, {1, 1}, {}, Activation::kRelu);
  const int g = b.tensor("gap", {1, 4});
  b.set_dtype(g, kUInt8);
  b.set_quant(g, 0.0123f, 0);
  b.global_avg_pool("gap", c, g);
  const int out = b.tensor("logits", {1, 2});
  b.fully_connected("fc", g, b.constant("fc.w", {2, 4}, {0.5f, -0.5f, 0.25f, 1.0f, 0.1f, 0.2f, -0.3f, 0.4f}), -1, out);
  return b.finish({x}, {out});
}

const std::vector<std::vector<uint8_t>>& models() {
  static const std::vector<std::vector<uint8_t>> m = {seed_model("tiny_inception.incept"), seed_model("pools.incept"),
                                                      seed_model("quantised_inception.incept"), int8_image_model()};
  return m;
}

// The program's bytes, read on demand; 0 past the end, so every prefix is a program.
struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{u8()} << (8 * i);
    return v;
  }
  template <typename T, size_t N>
  T pick(const T (&choices)[N]) {
    return choices[u8() % N];
  }
};

// A heap block whose usable part is exactly what a call was told, so ASan sees a read one byte past it.
class Buffer {
 public:
  Buffer() = default;
  // `bytes` starting `skew` bytes past a 64-byte boundary; the bytes around them are poisoned under ASan.
  Buffer(size_t bytes, size_t skew)
      : raw_(static_cast<uint8_t*>(std::malloc(bytes + skew + 128))), size_(bytes), skew_(skew) {
    if (raw_ == nullptr) return;
    data_ = raw_ + (64 - reinterpret_cast<uintptr_t>(raw_) % 64) % 64 + skew;
    poison(true);
  }
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept {
    std::swap(raw_, o.raw_);
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(skew_, o.skew_);
    return *this;
  }
  ~Buffer() {
    poison(false);
    std::free(raw_);
  }
  uint8_t* get() const { return data_; }
  explicit operator bool() const { return data_ != nullptr; }

 private:
  void poison(bool on) const {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
    if (raw_ == nullptr) return;
    const size_t head = static_cast<size_t>(data_ - raw_), total = size_ + skew_ + 128;  // head <= 63 + skew
    if (on) {
      ASAN_POISON_MEMORY_REGION(raw_, head);
      ASAN_POISON_MEMORY_REGION(data_ + size_, total - head - size_);
    } else {
      ASAN_UNPOISON_MEMORY_REGION(raw_, total);
    }
#endif
#endif
    (void)on;
  }
  uint8_t* raw_ = nullptr;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t skew_ = 0;
};

struct ModelSlot {
  incept_model* model = nullptr;
  Buffer bytes;  // what the model reads in place: alive and unchanged until incept_model_free
};

struct InterpreterSlot {
  incept_interpreter* it = nullptr;
  int model = -1;            // the model slot it was created from
  bool prepared = false;     // a prepare returned OK
  size_t need = 0;           // the last arena size incept_interpreter_arena_bytes reported
  std::vector<Buffer> keep;  // arenas and pixels it may still read: freed with it
};

class Program {
 public:
  Program(const uint8_t* data, size_t size) : in_{data, size} {}
  ~Program() {
    for (int i = 0; i < 2; ++i) free_interpreter(i);
    for (int m = 0; m < 2; ++m) free_model(m);
  }

  FuzzReport run() {
    for (int call = 0; call < kMaxCalls && in_.n > 0; ++call) step(in_.u8());
    return std::move(r_);
  }

 private:
  // Checks a call's status against the header and records it; true when OK.
  bool check(const char* fn, incept_status s) {
    int v = 0;
    std::memcpy(&v, &s, sizeof(v));
    r_.expect(v >= INCEPT_STATUS_OK && v <= INCEPT_STATUS_IO_ERROR, std::string(fn) + " returns a status in the enum");
    if (v == INCEPT_STATUS_OK) {
      ++r_.done;
      return true;
    }
    const char* msg = incept_last_error();
    r_.expect(msg != nullptr, std::string(fn) + ": incept_last_error is not NULL");
    r_.refuse(fn, msg != nullptr ? msg : "");
    return false;
  }

  void free_interpreter(int i) {
    incept_interpreter_free(slots_[i].it);
    slots_[i] = InterpreterSlot();
  }
  // Frees model slot m after every interpreter made from it (the header: a model outlives its interpreters).
  void free_model(int m) {
    for (int i = 0; i < 2; ++i)
      if (slots_[i].it != nullptr && slots_[i].model == m) free_interpreter(i);
    incept_model_free(models_[m].model);
    models_[m] = ModelSlot();
  }

  incept_interpreter* handle() {  // the interpreter a call names: one of two slots, or NULL
    const uint8_t b = in_.u8();
    return b % 3 == 2 ? nullptr : slots_[b % 3].it;
  }
  InterpreterSlot* slot_of(const incept_interpreter* it) {
    for (InterpreterSlot& s : slots_)
      if (it != nullptr && s.it == it) return &s;
    return nullptr;
  }
  int index() { return in_.pick<int>({0, 0, 0, 1, -1, INT_MAX, INT_MIN, 2}); }

  void load_bytes() {
    const int m = in_.u8() & 1;
    free_model(m);
    const std::vector<uint8_t>& src = models()[in_.u8() % models().size()];
    size_t size = src.size();
    const uint8_t how = in_.u8() % 6;
    if (how == 1) size -= std::min<size_t>(size, 1 + in_.u8() * size / 256);  // truncated
    if (how == 2) size = 0;
    models_[m].bytes = Buffer(src.size(), 0);
    std::memcpy(models_[m].bytes.get(), src.data(), src.size());
    if (how == 3) models_[m].bytes.get()[in_.u32() % src.size()] ^= static_cast<uint8_t>(in_.u8() | 1);  // damaged
    const void* data = how == 4 ? nullptr : models_[m].bytes.get();
    incept_load_options o = incept_load_options_default();
    const uint8_t opt = in_.u8() % 3;
    if (opt == 2) {
      o.max_tensors = in_.u8();
      o.max_ops = in_.u8();
      o.max_weights_bytes = in_.u32();
    }
    incept_model* out = reinterpret_cast<incept_model*>(&models_[m]);  // a caller's stale value, overwritten
    const bool ok = check("incept_model_load_bytes",
                          incept_model_load_bytes(data, size, opt == 0 ? nullptr : &o, how == 5 ? nullptr : &out));
    if (how == 5) return;
    r_.expect(ok == (out != nullptr), "incept_model_load_bytes: *out is a model exactly when it returns OK");
    models_[m].model = ok ? out : nullptr;
  }

  void load_file() {
    const char* paths[] = {nullptr, "", "/nonexistent/model.incept", "/"};
    incept_model* out = nullptr;
    const bool null_out = in_.u8() % 4 == 0;
    check("incept_model_load_file", incept_model_load_file(in_.pick(paths), nullptr, null_out ? nullptr : &out));
    r_.expect(out == nullptr, "incept_model_load_file: no model from a path that holds none");
    incept_model_free(out);
  }

  void create() {
    const int i = in_.u8() & 1;
    free_interpreter(i);
    const int m = in_.u8() % 3;  // 2: no model
    incept_interpreter_options o = incept_interpreter_options_default();
    const uint8_t opt = in_.u8() % 3;
    if (opt != 0) {
      const int backend = in_.pick<int>({0, 1, 2, 3, 4, 5, 7, 8, -1, 255, INT_MIN});
      incept_fuzz_set_backend(&o, backend);  // what a C caller may store in the enum field
      // 3..1024 threads are valid and only cost time (a pool that large per input); over 1024 is refused.
      o.threads = in_.pick<int>({1, 1, 2, 0, -1, 1025, INT_MAX, INT_MIN});
      o.max_arena_bytes = in_.pick<size_t>({0, 1, 4096, size_t{1} << 20, SIZE_MAX});
      o.winograd = in_.pick<int>({0, 1, 2, -1});
    }
    incept_interpreter* out = reinterpret_cast<incept_interpreter*>(&slots_[i]);
    const bool null_out = in_.u8() % 8 == 0;
    const bool ok = check("incept_interpreter_create",
                          incept_interpreter_create(m < 2 ? models_[m].model : nullptr, opt == 0 ? nullptr : &o,
                                                    null_out ? nullptr : &out));
    if (null_out) return;
    r_.expect(ok == (out != nullptr), "incept_interpreter_create: *out is an interpreter exactly when it returns OK");
    if (ok) {
      slots_[i].it = out;
      slots_[i].model = m;
    }
  }

  void arena_bytes() {
    incept_interpreter* it = handle();
    size_t need = 0;
    const bool null_out = in_.u8() % 4 == 0;
    if (check("incept_interpreter_arena_bytes", incept_interpreter_arena_bytes(it, null_out ? nullptr : &need)) &&
        !null_out)
      slot_of(it)->need = need;
  }

  void prepare(bool with_arena) {
    incept_interpreter* it = handle();
    InterpreterSlot* s = slot_of(it);
    if (!with_arena) {
      if (check("incept_interpreter_prepare", incept_interpreter_prepare(it))) s->prepared = true;
      return;
    }
    const size_t need = s != nullptr ? s->need : 4096;
    const size_t skew = in_.u8() % 4 == 0 ? in_.u8() % 64 : 0;  // an arena that does not start 64-aligned
    size_t size = in_.pick<size_t>({need, need + 63, need + 64, need - 1, 0, 64});
    if (size > kMaxBuffer) size = need <= kMaxBuffer ? need : 0;
    Buffer arena = in_.u8() % 8 == 0 ? Buffer() : Buffer(size, skew);
    uint8_t* p = arena.get();
    const bool ok = check("incept_interpreter_prepare_with_arena", incept_interpreter_prepare_with_arena(it, p, size));
    if (s == nullptr) return;
    s->prepared = s->prepared || ok;
    if (arena) s->keep.push_back(std::move(arena));  // it may be bound now: alive until the interpreter is freed
  }

  void invoke() {
    incept_interpreter* it = handle();
    InterpreterSlot* s = slot_of(it);
    const bool ok = check("incept_interpreter_invoke", incept_interpreter_invoke(it));
    r_.expect(!ok || (s != nullptr && s->prepared), "incept_interpreter_invoke: refused before a prepare worked");
    if (ok && ++invokes_ >= 8) in_.n = 0;  // bounded time: a program ends after 8 invokes
  }

  void tensor(bool input, bool by_name) {
    incept_interpreter* it = handle();
    incept_tensor t;
    std::memset(&t, 0xa5, sizeof(t));
    const bool null_out = in_.u8() % 8 == 0;
    bool ok = false;
    if (by_name) {
      std::string real;
      incept_tensor first;
      if (it != nullptr && (input ? incept_interpreter_input(it, 0, &first)
                                  : incept_interpreter_output(it, 0, &first)) == INCEPT_STATUS_OK)
        real = first.name;
      const std::string names[] = {real, "", "no such tensor", real + "x", real.substr(0, real.size() / 2)};
      const uint8_t k = in_.u8() % 6;
      const char* name = k == 5 ? nullptr : names[k].c_str();
      ok = check(input ? "incept_interpreter_input_by_name" : "incept_interpreter_output_by_name",
                 input ? incept_interpreter_input_by_name(it, name, null_out ? nullptr : &t)
                       : incept_interpreter_output_by_name(it, name, null_out ? nullptr : &t));
    } else {
      const int i = index();
      ok = check(input ? "incept_interpreter_input" : "incept_interpreter_output",
                 input ? incept_interpreter_input(it, i, null_out ? nullptr : &t)
                       : incept_interpreter_output(it, i, null_out ? nullptr : &t));
    }
    if (!ok) return;
    r_.expect(t.name != nullptr && t.rank >= 1 && t.rank <= 4, "incept_tensor: a name and a rank of 1 to 4");
    size_t elements = 1;
    for (int d = 0; d < t.rank && d < 4; ++d) elements *= t.dims[d] > 0 ? static_cast<size_t>(t.dims[d]) : 0;
    r_.expect(t.bytes == elements * sizeof(float), "incept_tensor: bytes = 4 x the element count");
    if (t.data == nullptr) return;
    InterpreterSlot* s = slot_of(it);
    r_.expect(s != nullptr && s->prepared, "incept_tensor: data only after a prepare worked");
    if (input) {
      for (size_t e = 0; e < t.bytes / sizeof(float); ++e) t.data[e] = static_cast<float>(e % 7) - 3.0f;
    } else {
      volatile float sum = 0.0f;  // every output byte is readable
      for (size_t e = 0; e < t.bytes / sizeof(float); ++e) sum = sum + t.data[e];
    }
  }

  void set_input() {
    incept_interpreter* it = handle();
    const int i = index();
    incept_tensor t;
    size_t exact = 300;
    if (it != nullptr && incept_interpreter_input(it, i >= 0 ? i : 0, &t) == INCEPT_STATUS_OK)
      exact = t.bytes / sizeof(float);
    size_t count = in_.pick<size_t>({exact, exact, exact - 1, exact + 1, 0, 1});
    if (count > kMaxBuffer / sizeof(float)) count = 0;
    const bool null_data = in_.u8() % 8 == 0;
    std::vector<float> x(count);
    const float specials[] = {0.0f, 1.0f, -1.0f, NAN, INFINITY, -INFINITY, 1e30f, -0.0f};
    for (size_t e = 0; e < count; ++e) x[e] = specials[(e + in_.n) % 8];
    const int layout = in_.pick<int>({0, 1, 0, 1, 2, -1, 7, INT_MIN});
    const bool ok = check("incept_interpreter_set_input",
                          incept_fuzz_set_input(it, i, null_data ? nullptr : x.data(), count, layout));
    InterpreterSlot* s = slot_of(it);
    r_.expect(!ok || (s != nullptr && s->prepared), "incept_interpreter_set_input: refused before a prepare worked");
  }

  void set_input_image() {
    incept_interpreter* it = handle();
    const int i = index();
    incept_tensor t;
    int32_t eh = 10, ew = 10;
    if (it != nullptr && incept_interpreter_input(it, i >= 0 ? i : 0, &t) == INCEPT_STATUS_OK && t.rank == 4) {
      eh = t.dims[1];
      ew = t.dims[2];
    }
    const int32_t h = in_.pick<int32_t>({eh, eh, eh + 1, eh - 1, 0, -1, INT32_MAX});
    const int32_t w = in_.pick<int32_t>({ew, ew, ew + 1, ew - 1, 0, -1, INT32_MIN});
    const int32_t channels = in_.pick<int32_t>({3, 4, 3, 0, 1, -3, 255});
    const uint64_t min_row = uint64_t(w > 0 ? w : 0) * uint64_t(channels > 0 ? channels : 0);
    const size_t row_bytes = in_.pick<size_t>({0, min_row, min_row + 5, min_row - 1, SIZE_MAX, 1});
    // The buffer the arguments describe: height rows, the last only as long as its pixels.
    const uint64_t stride = row_bytes == 0 ? min_row : row_bytes;
    const bool sane = h > 0 && w > 0 && (channels == 3 || channels == 4) && stride >= min_row;
    const bool fits = sane && stride <= kMaxBuffer && uint64_t(h - 1) * stride + min_row <= kMaxBuffer;
    // A call whose buffer cannot exist is made only where it must be refused before any pixel is read.
    if (sane && !fits && h == eh && w == ew) return;
    const size_t bytes = fits ? size_t(uint64_t(h - 1) * stride + min_row) : 1;
    Buffer pixels = in_.u8() % 8 == 0 ? Buffer() : Buffer(bytes, in_.u8() % 4);
    if (pixels)
      for (size_t b = 0; b < bytes; ++b) pixels.get()[b] = static_cast<uint8_t>(b * 37);
    const bool ok = check("incept_interpreter_set_input_image",
                          incept_interpreter_set_input_image(it, i, pixels.get(), h, w, channels, row_bytes));
    InterpreterSlot* s = slot_of(it);
    r_.expect(!ok || (s != nullptr && s->prepared),
              "incept_interpreter_set_input_image: refused before a prepare worked");
    if (s != nullptr && pixels) s->keep.push_back(std::move(pixels));  // valid until the next invoke (and beyond)
  }

  void misc(uint8_t which) {
    switch (which % 4) {
      case 0: {
        const incept_interpreter* it = handle();
        r_.expect(incept_interpreter_num_inputs(it) >= (it != nullptr ? 1 : 0), "num_inputs: >= 1, 0 for NULL");
        r_.expect(incept_interpreter_num_outputs(it) >= (it != nullptr ? 1 : 0), "num_outputs: >= 1, 0 for NULL");
        break;
      }
      case 1: {
        const int code = in_.pick<int>({0, 1, 4, 6, 7, -1, 100, INT_MIN});
        const char* name = incept_fuzz_status_name(code);
        r_.expect(name != nullptr && name[0] != '\0', "incept_status_name: a name for every value");
        break;
      }
      case 2:
        r_.expect(incept_version() != nullptr && incept_last_error() != nullptr, "version and last error: strings");
        break;
      default:  // freeing NULL is a no-op, twice
        incept_interpreter_free(nullptr);
        incept_model_free(nullptr);
    }
  }

  void step(uint8_t op) {
    switch (op % 16) {
      case 0: load_bytes(); break;
      case 1: load_file(); break;
      case 2: free_model(in_.u8() & 1); break;
      case 3: create(); break;
      case 4: free_interpreter(in_.u8() & 1); break;
      case 5: arena_bytes(); break;
      case 6: prepare(false); break;
      case 7: prepare(true); break;
      case 8: invoke(); break;
      case 9: tensor(true, false); break;
      case 10: tensor(false, false); break;
      case 11: tensor(in_.u8() & 1, true); break;
      case 12: set_input(); break;
      case 13: set_input_image(); break;
      default: misc(in_.u8()); break;
    }
  }

  Reader in_;
  FuzzReport r_;
  ModelSlot models_[2];
  InterpreterSlot slots_[2];
  int invokes_ = 0;
};

}  // namespace

FuzzReport fuzz_c_api(const uint8_t* data, size_t size) { return Program(data, size).run(); }

}  // namespace incept::test
