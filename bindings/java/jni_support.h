// SPDX-License-Identifier: Apache-2.0
// What the JNI entry points share: the native objects behind the Java handles, Java exceptions from
// incept::Status, and string conversion that never trusts the bytes it converts.
//
// Ownership. A Java Model owns one `ModelHandle*` (a heap std::shared_ptr<ModelBox>); each Java
// Interpreter owns one InterpreterBox*, which holds its own shared_ptr<ModelBox>. Model.close() drops
// only the Model's reference, so a ModelBox (the parsed graph, and the bytes or mapping it reads in
// place) lives until the last interpreter built on it is closed too. A box that reads Java memory in
// place (a direct ByteBuffer, the interpreter's arena) holds a JNI global reference to it, so the GC
// cannot free memory the runtime still reads or writes.
//
// Errors. No C++ exception leaves an entry point: std::bad_alloc becomes OutOfMemoryError, a Status
// becomes org.incept.InceptException(code, message). Strings from a model file (names, labels,
// messages quoting them) may be any bytes: they are decoded as UTF-8 with U+FFFD for what is not,
// never handed to NewStringUTF (which aborts on Android's CheckJNI for malformed input).
#pragma once

#include <jni.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "incept/interpreter.h"
#include "incept/model.h"
#include "incept/status.h"

namespace incept::jni {

// A JNI global reference, deleted (on whatever Java thread drops the owner) in the destructor.
class GlobalRef {
 public:
  GlobalRef() = default;
  GlobalRef(JNIEnv* env, jobject obj) : obj_(obj != nullptr ? env->NewGlobalRef(obj) : nullptr) {}
  GlobalRef(GlobalRef&& o) noexcept : obj_(o.obj_) { o.obj_ = nullptr; }
  GlobalRef(const GlobalRef&) = delete;
  GlobalRef& operator=(const GlobalRef&) = delete;
  GlobalRef& operator=(GlobalRef&& o) noexcept {
    if (this != &o) {
      reset();
      obj_ = o.obj_;
      o.obj_ = nullptr;
    }
    return *this;
  }
  ~GlobalRef() { reset(); }
  jobject get() const { return obj_; }
  void reset();

 private:
  jobject obj_ = nullptr;
};

// Model bytes copied out of Java memory (a byte[], a heap or a misaligned ByteBuffer), 64-byte aligned.
class AlignedBytes {
 public:
  AlignedBytes() = default;
  AlignedBytes(AlignedBytes&& o) noexcept : data_(o.data_) { o.data_ = nullptr; }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  AlignedBytes& operator=(AlignedBytes&&) = delete;
  ~AlignedBytes();
  bool allocate(size_t bytes);  // false when out of memory
  uint8_t* data() const { return data_; }

 private:
  uint8_t* data_ = nullptr;
};

// Native objects alive (ModelBox + InterpreterBox): Incept.liveNativeObjects(), for leak tests.
extern std::atomic<int> g_live_objects;

struct ModelBox {
  // Declared before `model`, so destroyed after it: the memory the model reads in place.
  AlignedBytes copy;
  GlobalRef pinned;  // a direct ByteBuffer read in place
  Model model;

  ModelBox(AlignedBytes&& c, GlobalRef&& p, Model&& m) : copy(std::move(c)), pinned(std::move(p)), model(std::move(m)) {
    ++g_live_objects;
  }
  ~ModelBox() { --g_live_objects; }
};
using ModelHandle = std::shared_ptr<ModelBox>;

struct InterpreterBox {
  ModelHandle model;  // first member: destroyed last, after the interpreter that borrows it
  GlobalRef arena;    // the direct ByteBuffer the arena lives in (set by prepare)
  Interpreter it;

  InterpreterBox(ModelHandle m, const InterpreterOptions& o) : model(std::move(m)), it(model->model, o) {
    ++g_live_objects;
  }
  ~InterpreterBox() { --g_live_objects; }
};

inline ModelHandle* model_handle(jlong h) { return reinterpret_cast<ModelHandle*>(static_cast<intptr_t>(h)); }
inline InterpreterBox* interpreter_box(jlong h) { return reinterpret_cast<InterpreterBox*>(static_cast<intptr_t>(h)); }
inline jlong to_handle(const void* p) { return static_cast<jlong>(reinterpret_cast<intptr_t>(p)); }

// Caches the classes and methods used to throw; called from JNI_OnLoad. False if one is missing.
bool init(JavaVM* vm, JNIEnv* env);

// Each throws a pending Java exception; the entry point then returns at once (any value it returns
// is ignored by the JVM).
void throw_status(JNIEnv* env, const Status& s);  // org.incept.InceptException
[[gnu::format(printf, 3, 4)]] void throw_error(JNIEnv* env, StatusCode code, const char* fmt, ...);
void throw_java(JNIEnv* env, const char* class_name, const char* message);  // "java/lang/NullPointerException"
void throw_out_of_memory(JNIEnv* env, const char* what);

// UTF-8 (possibly malformed, from a file) -> java.lang.String; nullptr (with OutOfMemoryError pending)
// only when the JVM is out of memory.
jstring to_jstring(JNIEnv* env, const char* utf8);
// java.lang.String -> UTF-8 (unpaired surrogates become U+FFFD). False with NullPointerException
// pending for a null `s` (named `what`).
bool to_utf8(JNIEnv* env, jstring s, const char* what, std::string* out);

// Runs `body` with std::bad_alloc turned into OutOfMemoryError and any other C++ exception into an
// InceptException (internal), so none crosses into the JVM. Returns body's value, or `fallback`.
template <typename R, typename F>
R guarded(JNIEnv* env, const char* fn, R fallback, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    throw_out_of_memory(env, fn);
  } catch (...) {
    throw_error(env, StatusCode::kInternal, "%s: unexpected C++ exception", fn);
  }
  return fallback;
}

}  // namespace incept::jni
