// SPDX-License-Identifier: Apache-2.0
#include "common/xnn_op.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace incept::ops {
namespace {

std::atomic<size_t> g_live_bytes{0};

// Every block carries its size in a header so frees can be counted. The header is 64 bytes, which
// keeps the payload as aligned as the block (XNNPACK asks for at most 64-byte alignment).
constexpr size_t kHeader = 64;

void* count_alloc(size_t alignment, size_t size) {
  if (alignment < kHeader) alignment = kHeader;
  void* base = nullptr;
  if (posix_memalign(&base, alignment, size + alignment) != 0) return nullptr;
  uint8_t* p = static_cast<uint8_t*>(base) + alignment;
  std::memcpy(p - sizeof(size_t) * 2, &size, sizeof(size_t));
  std::memcpy(p - sizeof(size_t), &alignment, sizeof(size_t));
  g_live_bytes.fetch_add(size, std::memory_order_relaxed);
  return p;
}

void count_free(void* pointer) {
  if (pointer == nullptr) return;
  uint8_t* p = static_cast<uint8_t*>(pointer);
  size_t size = 0, alignment = 0;
  std::memcpy(&size, p - sizeof(size_t) * 2, sizeof(size_t));
  std::memcpy(&alignment, p - sizeof(size_t), sizeof(size_t));
  g_live_bytes.fetch_sub(size, std::memory_order_relaxed);
  std::free(p - alignment);
}

void* xnn_alloc(void*, size_t size) { return count_alloc(16, size); }
void* xnn_aligned_alloc(void*, size_t alignment, size_t size) { return count_alloc(alignment, size); }
void xnn_free(void*, void* p) { count_free(p); }
void* xnn_realloc(void*, void* pointer, size_t size) {
  void* fresh = count_alloc(16, size);
  if (fresh == nullptr || pointer == nullptr) return fresh;
  size_t old = 0;
  std::memcpy(&old, static_cast<uint8_t*>(pointer) - sizeof(size_t) * 2, sizeof(size_t));
  std::memcpy(fresh, pointer, old < size ? old : size);
  count_free(pointer);
  return fresh;
}

const xnn_allocator kAllocator = {nullptr, xnn_alloc, xnn_realloc, xnn_free, xnn_aligned_alloc, xnn_free};

}  // namespace

Status xnn_ensure_initialized() {
  static const xnn_status status = xnn_initialize(&kAllocator);
  INCEPT_CHECK(status == xnn_status_success, kUnsupported, "XNNPACK cannot initialise on this CPU (%s)",
               xnn_status_name(status));
  return Status::ok();
}

size_t xnn_live_bytes() { return g_live_bytes.load(std::memory_order_relaxed); }

void XnnOp::reset() {
  if (op_ != nullptr) xnn_delete_operator(op_);
  op_ = nullptr;
}

const char* xnn_status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success: return "xnn_status_success";
    case xnn_status_uninitialized: return "xnn_status_uninitialized";
    case xnn_status_invalid_parameter: return "xnn_status_invalid_parameter";
    case xnn_status_invalid_state: return "xnn_status_invalid_state";
    case xnn_status_unsupported_parameter: return "xnn_status_unsupported_parameter";
    case xnn_status_unsupported_hardware: return "xnn_status_unsupported_hardware";
    case xnn_status_out_of_memory: return "xnn_status_out_of_memory";
  }
  return "xnn_status_unknown";
}

}  // namespace incept::ops
