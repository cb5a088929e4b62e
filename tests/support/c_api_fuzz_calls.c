/* SPDX-License-Identifier: Apache-2.0 */
/* The C API calls whose enum arguments the C API fuzzer sets to any int, made from C as a C caller makes them
 * (C++ may not even hold such a value in the enum type: UBSan's enum check would stop the fuzzer, not the
 * library). Declared in tests/support/c_api_fuzz.cc. */
#include "incept/c_api.h"

const char* incept_fuzz_status_name(int code) { return incept_status_name((incept_status)code); }

void incept_fuzz_set_backend(incept_interpreter_options* o, int backend) { o->backend = (incept_backend)backend; }

incept_status incept_fuzz_set_input(incept_interpreter* it, int index, const float* data, size_t count, int layout) {
  return incept_interpreter_set_input(it, index, data, count, (incept_layout)layout);
}
