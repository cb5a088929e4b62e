// SPDX-License-Identifier: Apache-2.0
// JNI entry points of org.incept.NativeLib for the interpreter: create (sharing the model's box),
// plan, prepare over a Java-owned arena, tensor spans, invoke, free.
//
// The arena is a direct ByteBuffer the Java Interpreter allocates (ByteBuffer.allocateDirect), and
// inputs and outputs are FloatBuffer views of it. So a view the app still holds after close() points
// at memory the GC keeps alive, never at freed native memory; the native interpreter pins the
// buffer with a global reference for as long as it may write there.
#include <jni.h>

#include <cstdint>
#include <string>
#include <utility>

#include "jni_support.h"

using incept::StatusCode;
using incept::jni::InterpreterBox;
using incept::jni::ModelHandle;
using incept::jni::throw_error;
using incept::jni::throw_java;
using incept::jni::throw_status;

namespace {

InterpreterBox* box_of(JNIEnv* env, jlong h) {
  if (h == 0) {
    throw_java(env, "java/lang/IllegalStateException", "the interpreter is closed");
    return nullptr;
  }
  return incept::jni::interpreter_box(h);
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_org_incept_NativeLib_createInterpreter(JNIEnv* env, jclass, jobject, jlong model,
                                                                    jstring backend, jint threads,
                                                                    jlong max_arena_bytes, jboolean winograd) {
  return incept::jni::guarded(env, "new Interpreter", jlong{0}, [&]() -> jlong {
    if (model == 0) {
      throw_java(env, "java/lang/IllegalStateException", "the model is closed");
      return 0;
    }
    std::string name;
    if (!incept::jni::to_utf8(env, backend, "backend", &name)) return 0;
    incept::InterpreterOptions o;
    const incept::Status s =
        name.find('\0') != std::string::npos
            ? incept::Status::error(StatusCode::kInvalidArgument, "backend name contains a NUL character")
            : incept::parse_backend(name.c_str(), &o.backend);
    if (!s.is_ok()) {
      throw_status(env, s);
      return 0;
    }
    if (threads < 1) {
      throw_error(env, StatusCode::kInvalidArgument, "threads must be >= 1, got %d", static_cast<int>(threads));
      return 0;
    }
    if (max_arena_bytes < 0) {
      throw_error(env, StatusCode::kInvalidArgument, "maxArenaBytes must be >= 0 (0: no cap), got %lld",
                  static_cast<long long>(max_arena_bytes));
      return 0;
    }
    o.threads = threads;
    o.max_arena_bytes = static_cast<size_t>(max_arena_bytes);
    o.winograd = winograd == JNI_TRUE;
    const ModelHandle& m = *incept::jni::model_handle(model);
    return incept::jni::to_handle(new InterpreterBox(m, o));
  });
}

JNIEXPORT void JNICALL Java_org_incept_NativeLib_freeInterpreter(JNIEnv*, jclass, jobject, jlong h) {
  delete incept::jni::interpreter_box(h);
}

// Shapes and memory plan: the bytes prepare() needs (the arena passed must be 63 bytes larger, as
// it is aligned up to 64 inside).
JNIEXPORT jlong JNICALL Java_org_incept_NativeLib_arenaBytesRequired(JNIEnv* env, jclass, jobject, jlong h) {
  return incept::jni::guarded(env, "Interpreter.arenaBytesRequired", jlong{-1}, [&]() -> jlong {
    InterpreterBox* b = box_of(env, h);
    if (b == nullptr) return -1;
    size_t need = 0;
    const incept::Status s = b->it.arena_bytes_required(&need);
    if (!s.is_ok()) {
      throw_status(env, s);
      return -1;
    }
    return static_cast<jlong>(need);
  });
}

// Binds the direct ByteBuffer `arena` and prepares; the box keeps the buffer alive from then on.
JNIEXPORT void JNICALL Java_org_incept_NativeLib_prepare(JNIEnv* env, jclass, jobject, jlong h, jobject arena) {
  incept::jni::guarded(env, "Interpreter.prepare", 0, [&]() -> int {
    InterpreterBox* b = box_of(env, h);
    if (b == nullptr) return 0;
    if (b->arena.get() != nullptr) {
      throw_java(env, "java/lang/IllegalStateException", "the interpreter is already prepared");
      return 0;
    }
    if (arena == nullptr) {
      throw_java(env, "java/lang/NullPointerException", "arena is null");
      return 0;
    }
    void* base = env->GetDirectBufferAddress(arena);
    const jlong capacity = env->GetDirectBufferCapacity(arena);
    if (base == nullptr || capacity < 0) {
      throw_java(env, "java/lang/IllegalArgumentException", "the arena is not a direct ByteBuffer");
      return 0;
    }
    incept::jni::GlobalRef pinned(env, arena);
    if (pinned.get() == nullptr) {
      throw_java(env, "java/lang/OutOfMemoryError", "cannot create a global reference to the arena");
      return 0;
    }
    const incept::Status s = b->it.prepare(base, static_cast<size_t>(capacity));
    if (!s.is_ok()) {
      throw_status(env, s);
      return 0;
    }
    b->arena = std::move(pinned);
    return 0;
  });
}

// {byte offset of the tensor's data from the arena buffer's address, its bytes} for graph input or
// output `index` of a prepared interpreter.
JNIEXPORT jlongArray JNICALL Java_org_incept_NativeLib_tensorSpan(JNIEnv* env, jclass, jobject, jlong h,
                                                                  jboolean output, jint index) {
  InterpreterBox* b = box_of(env, h);
  if (b == nullptr) return nullptr;
  if (b->arena.get() == nullptr) {
    throw_java(env, "java/lang/IllegalStateException", "the interpreter is not prepared");
    return nullptr;
  }
  const int n = output ? b->it.num_outputs() : b->it.num_inputs();
  if (index < 0 || index >= n) {
    throw_error(env, StatusCode::kInvalidArgument, "%s index %d is out of range: the model has %d %ss",
                output ? "output" : "input", static_cast<int>(index), n, output ? "output" : "input");
    return nullptr;
  }
  const incept::TensorRef t = output ? b->it.output(index) : b->it.input(index);
  const auto* base = static_cast<const uint8_t*>(env->GetDirectBufferAddress(b->arena.get()));
  const jlong v[] = {static_cast<jlong>(reinterpret_cast<const uint8_t*>(t.data) - base), static_cast<jlong>(t.bytes)};
  jlongArray a = env->NewLongArray(2);
  if (a != nullptr) env->SetLongArrayRegion(a, 0, 2, v);
  return a;
}

JNIEXPORT void JNICALL Java_org_incept_NativeLib_invoke(JNIEnv* env, jclass, jobject, jlong h) {
  InterpreterBox* b = box_of(env, h);
  if (b == nullptr) return;
  const incept::Status s = b->it.invoke();  // allocates nothing, throws nothing
  if (!s.is_ok()) throw_status(env, s);
}

}  // extern "C"
