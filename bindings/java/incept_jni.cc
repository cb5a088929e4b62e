// SPDX-License-Identifier: Apache-2.0
// JNI entry points of org.incept.NativeLib: the library, model loading and model metadata.
// (Interpreter entry points: incept_jni_interpreter.cc.) The Java classes check arguments and
// call order first; every check is repeated here, so a direct call cannot crash the JVM either.
// The `owner` argument of each call is the Java object that owns the handle: as a JNI argument it
// stays reachable, so its cleaner cannot free the handle while the call runs.
#include <jni.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "incept/c_api.h"
#include "jni_support.h"

using incept::Model;
using incept::StatusCode;
using incept::jni::AlignedBytes;
using incept::jni::GlobalRef;
using incept::jni::ModelBox;
using incept::jni::ModelHandle;
using incept::jni::throw_error;
using incept::jni::throw_java;
using incept::jni::throw_status;
using incept::jni::to_jstring;

namespace {

constexpr uintptr_t kModelAlignment = 8;  // what Model::from_bytes requires (model.h)

// A loaded model -> a new handle for the Java Model, or 0 with an exception pending.
jlong finish_load(JNIEnv* env, incept::Result<Model>&& m, AlignedBytes&& copy, GlobalRef&& pinned) {
  if (!m.ok()) {
    throw_status(env, m.status());
    return 0;
  }
  auto box = std::make_shared<ModelBox>(std::move(copy), std::move(pinned), std::move(*m));
  return incept::jni::to_handle(new ModelHandle(std::move(box)));
}

// Copies `size` bytes that JNI reads with `read` into an aligned native block, then loads from it.
template <typename Read>
jlong load_copy(JNIEnv* env, size_t size, Read&& read) {
  AlignedBytes copy;
  if (!copy.allocate(size)) {
    throw_java(env, "java/lang/OutOfMemoryError", "cannot allocate native memory for a copy of the model bytes");
    return 0;
  }
  read(copy.data());
  if (env->ExceptionCheck()) return 0;
  incept::Result<Model> m = Model::from_bytes(copy.data(), size);
  return finish_load(env, std::move(m), std::move(copy), GlobalRef());
}

const Model* model_of(JNIEnv* env, jlong h) {
  if (h == 0) {
    throw_java(env, "java/lang/IllegalStateException", "the model is closed");
    return nullptr;
  }
  return &(*incept::jni::model_handle(h))->model;
}

jobjectArray string_array(JNIEnv* env, jsize n) {
  jclass string_class = env->FindClass("java/lang/String");
  if (string_class == nullptr) return nullptr;
  jobjectArray a = env->NewObjectArray(n, string_class, nullptr);
  env->DeleteLocalRef(string_class);
  return a;
}

bool set_string(JNIEnv* env, jobjectArray a, jsize i, const char* s) {
  jstring js = to_jstring(env, s);
  if (js == nullptr) return false;
  env->SetObjectArrayElement(a, i, js);
  env->DeleteLocalRef(js);
  return true;
}

}  // namespace

extern "C" {

JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_6) != JNI_OK) return JNI_ERR;
  return incept::jni::init(vm, env) ? JNI_VERSION_1_6 : JNI_ERR;
}

JNIEXPORT jstring JNICALL Java_org_incept_NativeLib_version(JNIEnv* env, jclass) {
  return to_jstring(env, incept_version());
}

JNIEXPORT jboolean JNICALL Java_org_incept_NativeLib_backendAvailable(JNIEnv* env, jclass, jstring name) {
  return incept::jni::guarded(env, "backendAvailable", jboolean{JNI_FALSE}, [&]() -> jboolean {
    std::string n;
    if (!incept::jni::to_utf8(env, name, "backend", &n)) return JNI_FALSE;
    incept::Backend b = incept::Backend::kAuto;
    const incept::Status s =
        n.find('\0') != std::string::npos
            ? incept::Status::error(StatusCode::kInvalidArgument, "backend name contains a NUL character")
            : incept::parse_backend(n.c_str(), &b);
    if (!s.is_ok()) {
      throw_status(env, s);
      return JNI_FALSE;
    }
    return incept::backend_available(b) ? JNI_TRUE : JNI_FALSE;
  });
}

JNIEXPORT jint JNICALL Java_org_incept_NativeLib_liveObjects(JNIEnv*, jclass) {
  return incept::jni::g_live_objects.load();
}

JNIEXPORT jlong JNICALL Java_org_incept_NativeLib_loadFile(JNIEnv* env, jclass, jstring path) {
  return incept::jni::guarded(env, "Model.fromFile", jlong{0}, [&]() -> jlong {
    std::string p;
    if (!incept::jni::to_utf8(env, path, "path", &p)) return 0;
    if (p.find('\0') != std::string::npos) {
      throw_error(env, StatusCode::kInvalidArgument, "model path contains a NUL character");
      return 0;
    }
    return finish_load(env, Model::from_file(p.c_str()), AlignedBytes(), GlobalRef());
  });
}

JNIEXPORT jlong JNICALL Java_org_incept_NativeLib_loadArray(JNIEnv* env, jclass, jbyteArray bytes, jint offset,
                                                            jint length) {
  return incept::jni::guarded(env, "Model.fromBytes", jlong{0}, [&]() -> jlong {
    if (bytes == nullptr) {
      throw_java(env, "java/lang/NullPointerException", "bytes is null");
      return 0;
    }
    const jsize n = env->GetArrayLength(bytes);
    if (offset < 0 || length < 0 || offset > n || length > n - offset) {
      throw_java(env, "java/lang/IndexOutOfBoundsException", "offset/length outside the byte array");
      return 0;
    }
    return load_copy(env, static_cast<size_t>(length), [&](uint8_t* dst) {
      env->GetByteArrayRegion(bytes, offset, length, reinterpret_cast<jbyte*>(dst));
    });
  });
}

// A direct ByteBuffer: read in place (pinned by a global reference) when 8-byte aligned, else copied.
JNIEXPORT jlong JNICALL Java_org_incept_NativeLib_loadBuffer(JNIEnv* env, jclass, jobject buffer, jint position,
                                                             jint length) {
  return incept::jni::guarded(env, "Model.fromBuffer", jlong{0}, [&]() -> jlong {
    if (buffer == nullptr) {
      throw_java(env, "java/lang/NullPointerException", "buffer is null");
      return 0;
    }
    auto* base = static_cast<uint8_t*>(env->GetDirectBufferAddress(buffer));
    const jlong capacity = env->GetDirectBufferCapacity(buffer);
    if (base == nullptr || capacity < 0) {
      throw_java(env, "java/lang/IllegalArgumentException", "the ByteBuffer is not a direct buffer");
      return 0;
    }
    if (position < 0 || length < 0 || position > capacity || length > capacity - position) {
      throw_java(env, "java/lang/IndexOutOfBoundsException", "position/length outside the ByteBuffer");
      return 0;
    }
    const uint8_t* data = base + position;
    if (reinterpret_cast<uintptr_t>(data) % kModelAlignment != 0)
      return load_copy(env, static_cast<size_t>(length), [&](uint8_t* dst) { std::memcpy(dst, data, length); });
    GlobalRef pinned(env, buffer);
    if (pinned.get() == nullptr) {
      throw_java(env, "java/lang/OutOfMemoryError", "cannot create a global reference to the model buffer");
      return 0;
    }
    return finish_load(env, Model::from_bytes(data, static_cast<size_t>(length)), AlignedBytes(), std::move(pinned));
  });
}

JNIEXPORT void JNICALL Java_org_incept_NativeLib_freeModel(JNIEnv*, jclass, jobject, jlong h) {
  delete incept::jni::model_handle(h);  // the ModelBox itself lives on while an interpreter holds it
}

// {architecture, producer}
JNIEXPORT jobjectArray JNICALL Java_org_incept_NativeLib_modelStrings(JNIEnv* env, jclass, jobject, jlong h) {
  const Model* m = model_of(env, h);
  if (m == nullptr) return nullptr;
  jobjectArray a = string_array(env, 2);
  if (a == nullptr || !set_string(env, a, 0, m->architecture()) || !set_string(env, a, 1, m->producer()))
    return nullptr;
  return a;
}

// {inputs, outputs, input height, input width, channel order (0 RGB, 1 BGR), labels, ops, tensors}
JNIEXPORT jintArray JNICALL Java_org_incept_NativeLib_modelInts(JNIEnv* env, jclass, jobject, jlong h) {
  const Model* m = model_of(env, h);
  if (m == nullptr) return nullptr;
  const jint v[] = {
      m->num_inputs(), m->num_outputs(), m->input_height(), m->input_width(), static_cast<jint>(m->channel_order()),
      m->num_labels(), m->num_ops(),     m->num_tensors()};
  jintArray a = env->NewIntArray(8);
  if (a != nullptr) env->SetIntArrayRegion(a, 0, 8, v);
  return a;
}

// {mean[0..3), std[0..3)}
JNIEXPORT jfloatArray JNICALL Java_org_incept_NativeLib_modelFloats(JNIEnv* env, jclass, jobject, jlong h) {
  const Model* m = model_of(env, h);
  if (m == nullptr) return nullptr;
  const jfloat v[] = {m->mean()[0], m->mean()[1], m->mean()[2], m->std_dev()[0], m->std_dev()[1], m->std_dev()[2]};
  jfloatArray a = env->NewFloatArray(6);
  if (a != nullptr) env->SetFloatArrayRegion(a, 0, 6, v);
  return a;
}

JNIEXPORT jlong JNICALL Java_org_incept_NativeLib_modelWeightsBytes(JNIEnv* env, jclass, jobject, jlong h) {
  const Model* m = model_of(env, h);
  return m == nullptr ? 0 : static_cast<jlong>(m->weights_bytes());
}

JNIEXPORT jobjectArray JNICALL Java_org_incept_NativeLib_modelLabels(JNIEnv* env, jclass, jobject, jlong h) {
  const Model* m = model_of(env, h);
  if (m == nullptr) return nullptr;
  jobjectArray a = string_array(env, m->num_labels());
  if (a == nullptr) return nullptr;
  for (int i = 0; i < m->num_labels(); ++i)
    if (!set_string(env, a, i, m->label(i))) return nullptr;
  return a;
}

// Names of the graph inputs (output == false) or outputs.
JNIEXPORT jobjectArray JNICALL Java_org_incept_NativeLib_modelTensorNames(JNIEnv* env, jclass, jobject, jlong h,
                                                                          jboolean output) {
  const Model* m = model_of(env, h);
  if (m == nullptr) return nullptr;
  const int n = output ? m->num_outputs() : m->num_inputs();
  jobjectArray a = string_array(env, n);
  if (a == nullptr) return nullptr;
  for (int i = 0; i < n; ++i)
    if (!set_string(env, a, i, output ? m->output_name(i) : m->input_name(i))) return nullptr;
  return a;
}

// Shape of graph input/output `index` (NHWC, or [N, C]).
JNIEXPORT jintArray JNICALL Java_org_incept_NativeLib_modelTensorShape(JNIEnv* env, jclass, jobject, jlong h,
                                                                       jboolean output, jint index) {
  const Model* m = model_of(env, h);
  if (m == nullptr) return nullptr;
  const int n = output ? m->num_outputs() : m->num_inputs();
  if (index < 0 || index >= n) {
    throw_error(env, StatusCode::kInvalidArgument, "%s index %d is out of range: the model has %d %ss",
                output ? "output" : "input", static_cast<int>(index), n, output ? "output" : "input");
    return nullptr;
  }
  const incept::Shape s = output ? m->output_shape(index) : m->input_shape(index);
  jintArray a = env->NewIntArray(s.rank);
  if (a != nullptr) env->SetIntArrayRegion(a, 0, s.rank, reinterpret_cast<const jint*>(s.dims));
  return a;
}

}  // extern "C"
