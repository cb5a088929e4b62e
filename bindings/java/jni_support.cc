// SPDX-License-Identifier: Apache-2.0
// JNI support: global references, aligned copies, Java exceptions, UTF-8 <-> UTF-16.
#include "jni_support.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace incept::jni {

std::atomic<int> g_live_objects{0};

namespace {

JavaVM* g_vm = nullptr;
jclass g_incept_exception = nullptr;  // global reference
jmethodID g_incept_exception_ctor = nullptr;

constexpr jchar kReplacement = 0xFFFD;

// The Java thread running now (every caller is one: an entry point or the cleaner thread).
JNIEnv* current_env() {
  JNIEnv* env = nullptr;
  if (g_vm == nullptr || g_vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_6) != JNI_OK) return nullptr;
  return env;
}

// Length of the well-formed UTF-8 sequence at s[0..n), or 0 if malformed; *bad = bytes to skip then
// (the maximal prefix of a valid sequence, at least 1), as the Unicode standard recommends.
size_t utf8_sequence(const unsigned char* s, size_t n, uint32_t* cp, size_t* bad) {
  const unsigned char b0 = s[0];
  *bad = 1;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  uint32_t v = b0 & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; ++i) {
    const unsigned char lo_i = i == 1 ? lo : 0x80, hi_i = i == 1 ? hi : 0xBF;
    if (i >= n || s[i] < lo_i || s[i] > hi_i) {
      *bad = i;
      return 0;
    }
    v = (v << 6) | (s[i] & 0x3F);
  }
  *cp = v;
  return len;
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void GlobalRef::reset() {
  if (obj_ == nullptr) return;
  if (JNIEnv* env = current_env()) {
    env->DeleteGlobalRef(obj_);
  } else if (g_vm != nullptr && g_vm->AttachCurrentThread(reinterpret_cast<void**>(&env), nullptr) == JNI_OK) {
    env->DeleteGlobalRef(obj_);  // a native thread dropping the last owner: not done by this library
    g_vm->DetachCurrentThread();
  }
  obj_ = nullptr;
}

AlignedBytes::~AlignedBytes() { std::free(data_); }

bool AlignedBytes::allocate(size_t bytes) {
  void* p = nullptr;
  // posix_memalign: aligned_alloc needs Android API 28.
  if (posix_memalign(&p, 64, bytes == 0 ? 64 : bytes) != 0) return false;
  std::free(data_);
  data_ = static_cast<uint8_t*>(p);
  return true;
}

bool init(JavaVM* vm, JNIEnv* env) {
  g_vm = vm;
  jclass cls = env->FindClass("org/incept/InceptException");
  if (cls == nullptr) return false;
  g_incept_exception = static_cast<jclass>(env->NewGlobalRef(cls));
  env->DeleteLocalRef(cls);
  g_incept_exception_ctor = env->GetMethodID(g_incept_exception, "<init>", "(ILjava/lang/String;)V");
  return g_incept_exception != nullptr && g_incept_exception_ctor != nullptr;
}

void throw_status(JNIEnv* env, const Status& s) {
  if (env->ExceptionCheck()) return;
  jstring message = to_jstring(env, s.message());
  if (message == nullptr) return;  // OutOfMemoryError pending
  jobject e = env->NewObject(g_incept_exception, g_incept_exception_ctor, static_cast<jint>(s.code()), message);
  if (e != nullptr) env->Throw(static_cast<jthrowable>(e));
  env->DeleteLocalRef(message);
  if (e != nullptr) env->DeleteLocalRef(e);
}

void throw_error(JNIEnv* env, StatusCode code, const char* fmt, ...) {
  char message[Status::kMaxMessage];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  throw_status(env, Status::error(code, "%s", message));
}

void throw_java(JNIEnv* env, const char* class_name, const char* message) {
  if (env->ExceptionCheck()) return;
  jclass cls = env->FindClass(class_name);
  if (cls != nullptr) env->ThrowNew(cls, message);  // `message` is ours: plain ASCII
}

void throw_out_of_memory(JNIEnv* env, const char* what) {
  char message[160];
  std::snprintf(message, sizeof(message), "%s: out of native memory", what);
  env->ExceptionClear();
  throw_java(env, "java/lang/OutOfMemoryError", message);
}

jstring to_jstring(JNIEnv* env, const char* utf8) {
  if (utf8 == nullptr) utf8 = "";
  const auto* s = reinterpret_cast<const unsigned char*>(utf8);
  size_t n = 0;
  while (s[n] != 0) ++n;
  std::vector<jchar> u16;
  u16.reserve(n);
  for (size_t i = 0; i < n;) {
    uint32_t cp = 0;
    size_t bad = 1;
    const size_t len = utf8_sequence(s + i, n - i, &cp, &bad);
    if (len == 0) {
      u16.push_back(kReplacement);
      i += bad;
      continue;
    }
    if (cp >= 0x10000) {
      u16.push_back(static_cast<jchar>(0xD800 + ((cp - 0x10000) >> 10)));
      u16.push_back(static_cast<jchar>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      u16.push_back(static_cast<jchar>(cp));
    }
    i += len;
  }
  return env->NewString(u16.data(), static_cast<jsize>(u16.size()));
}

bool to_utf8(JNIEnv* env, jstring s, const char* what, std::string* out) {
  if (s == nullptr) {
    char message[96];
    std::snprintf(message, sizeof(message), "%s is null", what);
    throw_java(env, "java/lang/NullPointerException", message);
    return false;
  }
  const jsize n = env->GetStringLength(s);
  std::vector<jchar> u16(static_cast<size_t>(n));
  if (n > 0) env->GetStringRegion(s, 0, n, u16.data());
  out->clear();
  out->reserve(static_cast<size_t>(n));
  for (jsize i = 0; i < n; ++i) {
    uint32_t cp = u16[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && u16[i + 1] >= 0xDC00 && u16[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (u16[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = kReplacement;  // an unpaired surrogate
    }
    append_utf8(cp, out);
  }
  return true;
}

}  // namespace incept::jni
