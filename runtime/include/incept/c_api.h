/* SPDX-License-Identifier: Apache-2.0 */
/* incept C API: a C99 view of incept::Model and incept::Interpreter (incept/model.h, interpreter.h).
 *
 *   _Alignas(64) static unsigned char arena[8 << 20];
 *   incept_model* m = NULL;
 *   incept_interpreter* it = NULL;
 *   incept_tensor in, out;
 *   if (incept_model_load_file("inception_v3.incept", NULL, &m) != INCEPT_STATUS_OK ||
 *       incept_interpreter_create(m, NULL, &it) != INCEPT_STATUS_OK ||
 *       incept_interpreter_prepare_with_arena(it, arena, sizeof(arena)) != INCEPT_STATUS_OK) {
 *     fprintf(stderr, "%s\n", incept_last_error());
 *   }
 *   incept_interpreter_input(it, 0, &in);   fill(in.data);   // NHWC, channels last: [1, H, W, 3] for an image
 *   // or, from a PyTorch-ordered (NCHW) buffer, transposed on the copy:
 *   incept_interpreter_set_input(it, 0, x_nchw, count, INCEPT_LAYOUT_NCHW);
 *   incept_interpreter_invoke(it);          incept_interpreter_output(it, 0, &out);  read(out.data);
 *   incept_interpreter_free(it);  incept_model_free(m);
 *
 * Errors: every fallible call returns an incept_status. On failure it also stores a message (what,
 * where, the value found, the rule) in a thread-local buffer read by incept_last_error(); the buffer
 * is overwritten by the next failing call on the same thread (successful calls leave it unchanged).
 * No call aborts or lets a C++ exception escape; a failed allocation returns INCEPT_STATUS_INTERNAL.
 *
 * Ownership and lifetime: a model handle must outlive every interpreter created from it; a model
 * loaded with incept_model_load_bytes reads the caller's bytes in place, so they must stay alive and
 * unchanged until incept_model_free. An arena handed to incept_interpreter_prepare_with_arena must
 * outlive the interpreter. Tensor data pointers and names stay valid until the interpreter (names:
 * the model) is freed. One interpreter is not thread-safe; several may share one model.
 */
#ifndef INCEPT_C_API_H_
#define INCEPT_C_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mirrors incept::StatusCode (incept/status.h), value for value. */
typedef enum incept_status {
  INCEPT_STATUS_OK = 0,
  INCEPT_STATUS_INVALID_MODEL = 1,
  INCEPT_STATUS_UNSUPPORTED = 2,
  INCEPT_STATUS_ARENA_TOO_SMALL = 3,
  INCEPT_STATUS_INVALID_ARGUMENT = 4,
  INCEPT_STATUS_INTERNAL = 5,
  INCEPT_STATUS_IO_ERROR = 6
} incept_status;

/* Mirrors incept::Backend (incept/interpreter.h), value for value. */
typedef enum incept_backend {
  INCEPT_BACKEND_AUTO = 0,
  INCEPT_BACKEND_REF = 1,
  INCEPT_BACKEND_EIGEN = 2,
  INCEPT_BACKEND_XNNPACK = 3,
  INCEPT_BACKEND_NATIVE = 4 /* incept's own SIMD micro-kernels, picked per CPU */
} incept_backend;

/* The order of a 4-D input buffer's dimensions: incept's tensors are NHWC (channels last); PyTorch's are NCHW. */
typedef enum incept_layout {
  INCEPT_LAYOUT_NHWC = 0,
  INCEPT_LAYOUT_NCHW = 1 /* [N, C, H, W]: transposed to NHWC by incept_interpreter_set_input */
} incept_layout;

typedef struct incept_model incept_model;             /* opaque */
typedef struct incept_interpreter incept_interpreter; /* opaque */

/* Caps a model must fit under to load (incept::LoadOptions). Start from incept_load_options_default(). */
typedef struct incept_load_options {
  uint32_t max_tensors;
  uint32_t max_ops;
  uint64_t max_weights_bytes;
} incept_load_options;

/* incept::InterpreterOptions. Start from incept_interpreter_options_default(). */
typedef struct incept_interpreter_options {
  incept_backend backend;
  int threads;            /* >= 1; 1 runs everything on the calling thread */
  size_t max_arena_bytes; /* 0: no cap */
  int winograd;           /* 1 (default): Winograd convs where they are faster; 0: every conv direct */
} incept_interpreter_options;

/* A graph input or output: dense NHWC (channels last; [N, C] after a global pool or fully connected layer)
 * float32 memory inside the arena. An image input is [1, H, W, 3]: a PyTorch [1, 3, H, W] buffer copied into it
 * as it is gives wrong answers without an error; use incept_interpreter_set_input(..., INCEPT_LAYOUT_NCHW). */
typedef struct incept_tensor {
  const char* name;
  int rank;
  int32_t dims[4];
  float* data; /* NULL before prepare */
  size_t bytes;
} incept_tensor;

/* "0.1.0": the project version this library was built from. */
const char* incept_version(void);
/* "ok", "invalid model", ...; "unknown" for a value outside the enum. */
const char* incept_status_name(incept_status code);
/* The message of the last failing call on this thread ("" if none yet). Valid until the next failing
 * call on this thread. */
const char* incept_last_error(void);

incept_load_options incept_load_options_default(void);
incept_interpreter_options incept_interpreter_options_default(void);

/* Loads and fully verifies a model. `options` may be NULL (defaults). On success *out owns the model;
 * on failure *out is set to NULL. */
incept_status incept_model_load_file(const char* path, const incept_load_options* options, incept_model** out);
/* Like load_file over `data` in place: 8-byte aligned (64 is best), kept alive and unchanged by the
 * caller until incept_model_free. */
incept_status incept_model_load_bytes(const void* data, size_t size, const incept_load_options* options,
                                      incept_model** out);
void incept_model_free(incept_model* model); /* NULL is a no-op */

/* `options` may be NULL (defaults). The model must outlive the interpreter. */
incept_status incept_interpreter_create(const incept_model* model, const incept_interpreter_options* options,
                                        incept_interpreter** out);
void incept_interpreter_free(incept_interpreter* it); /* NULL is a no-op */

/* Shapes + memory plan; writes the arena bytes prepare needs. */
incept_status incept_interpreter_arena_bytes(incept_interpreter* it, size_t* out);
/* Allocates the arena once (64-byte aligned) and binds it. */
incept_status incept_interpreter_prepare(incept_interpreter* it);
/* Binds the caller's arena (aligned up to 64 inside: pass need + 63 bytes when unaligned). */
incept_status incept_interpreter_prepare_with_arena(incept_interpreter* it, void* arena, size_t size);
/* Runs the graph. Requires a successful prepare; allocates nothing. */
incept_status incept_interpreter_invoke(incept_interpreter* it);

/* Counts; 0 for a NULL handle. */
int incept_interpreter_num_inputs(const incept_interpreter* it);
int incept_interpreter_num_outputs(const incept_interpreter* it);
/* Fill *out with input/output `index` (0-based), or with the one named `name`. Its data is NHWC. */
incept_status incept_interpreter_input(const incept_interpreter* it, int index, incept_tensor* out);
incept_status incept_interpreter_output(const incept_interpreter* it, int index, incept_tensor* out);
incept_status incept_interpreter_input_by_name(const incept_interpreter* it, const char* name, incept_tensor* out);
incept_status incept_interpreter_output_by_name(const incept_interpreter* it, const char* name, incept_tensor* out);
/* Copies `count` floats (the input's element count) into input `index` (after prepare), read in `layout` order:
 * NHWC as they are, NCHW ([N, C, H, W], PyTorch's) transposed to NHWC on the copy; an input that is not 4-D is
 * copied as it is. */
incept_status incept_interpreter_set_input(incept_interpreter* it, int index, const float* data, size_t count,
                                           incept_layout layout);
/* A camera frame as input `index` (after prepare): uint8 pixels, row-major, height x width, `channels` bytes a
 * pixel (3: RGB; 4: RGBA or RGBX, the fourth ignored), rows `row_bytes` apart (0: width * channels); exactly the
 * input's height and width. Preprocessed as the model records, x = (pixel / 255 - mean) / std in its channel
 * order: written at once into a float32 input; for an 8-bit input (--quantize int8) normalised and quantised in
 * one pass when the next invoke starts, which reads the pixels (keep them valid until it returns) in place of
 * the float input, once. */
incept_status incept_interpreter_set_input_image(incept_interpreter* it, int index, const uint8_t* pixels,
                                                 int32_t height, int32_t width, int32_t channels, size_t row_bytes);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_C_API_H_ */
