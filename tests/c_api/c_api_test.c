/* SPDX-License-Identifier: Apache-2.0 */
/* The C API from a plain C program: load, static arena, invoke, tensors by index and name, and the
 * error paths (right status, a message naming the problem). Usage: c_api_test [MODEL.incept] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incept/c_api.h"

static int g_failures = 0;

#define EXPECT(cond)                                                            \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: EXPECT(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                             \
    }                                                                           \
  } while (0)

/* `got` must be `want`, with a last error that contains `needle`. */
#define EXPECT_ERROR(got, want, needle)                                                                              \
  do {                                                                                                               \
    incept_status got_ = (got);                                                                                      \
    if (got_ != (want) || strstr(incept_last_error(), (needle)) == NULL) {                                           \
      fprintf(stderr, "%s:%d: %s: got %s, want %s; last error '%s' should mention '%s'\n", __FILE__, __LINE__, #got, \
              incept_status_name(got_), incept_status_name(want), incept_last_error(), needle);                      \
      ++g_failures;                                                                                                  \
    }                                                                                                                \
  } while (0)

#define ARENA_CAP (16u << 20)
static unsigned char g_arena_storage[ARENA_CAP + 64];
static uint64_t g_bytes_storage[(1u << 20) / 8]; /* 8-byte aligned copy of the model file */

static void* align64(void* p) { return (void*)(((uintptr_t)p + 63u) & ~(uintptr_t)63u); }

static size_t read_file(const char* path, void* buf, size_t cap) {
  FILE* f = fopen(path, "rb");
  size_t n;
  if (f == NULL) return 0;
  n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

static void fill_input(const incept_tensor* t) {
  size_t i, n = t->bytes / sizeof(float);
  for (i = 0; i < n; ++i) t->data[i] = (float)((int)(i * 7919u % 201u) - 100) / 100.0f;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : INCEPT_SOURCE_DIR "/tests/fuzz/corpus/model/tiny_inception.incept";
  incept_model* model = NULL;
  incept_interpreter* it = NULL;
  incept_interpreter* small = NULL;
  incept_load_options lopt = incept_load_options_default();
  incept_interpreter_options iopt = incept_interpreter_options_default();
  incept_tensor in, in_named, out, out_named, scratch;
  size_t need = 0, size, i, n_out;
  unsigned char* arena = (unsigned char*)align64(g_arena_storage);
  float* first;
  int o;

  EXPECT(incept_version() != NULL && incept_version()[0] != '\0');
  EXPECT(strcmp(incept_status_name(INCEPT_STATUS_OK), "ok") == 0);
  EXPECT(lopt.max_tensors > 0 && lopt.max_ops > 0 && lopt.max_weights_bytes > 0);
  EXPECT(iopt.backend == INCEPT_BACKEND_AUTO && iopt.threads == 1 && iopt.max_arena_bytes == 0 && iopt.winograd == 1);

  /* Error paths before anything is loaded. */
  EXPECT_ERROR(incept_model_load_file("/nonexistent/dir/model.incept", NULL, &model), INCEPT_STATUS_IO_ERROR,
               "/nonexistent/dir/model.incept");
  EXPECT(model == NULL);
  memset(g_bytes_storage, 0, 256);
  EXPECT_ERROR(incept_model_load_bytes(g_bytes_storage, 256, NULL, &model), INCEPT_STATUS_INVALID_MODEL,
               "not an incept model");
  EXPECT(model == NULL);
  size = read_file(path, g_bytes_storage, sizeof(g_bytes_storage));
  if (size < 16 || size == sizeof(g_bytes_storage)) {
    fprintf(stderr, "cannot read the model '%s' (or it is over %zu bytes)\n", path, sizeof(g_bytes_storage));
    return 1;
  }
  { /* A good file with its identifier "INCP" broken is refused, naming the identifier. */
    unsigned char* b = (unsigned char*)g_bytes_storage;
    for (i = 0; i + 4 <= 16; ++i)
      if (memcmp(b + i, "INCP", 4) == 0) break;
    EXPECT(i + 4 <= 16);
    if (i + 4 <= 16) {
      b[i] = 'X';
      EXPECT_ERROR(incept_model_load_bytes(g_bytes_storage, size, NULL, &model), INCEPT_STATUS_INVALID_MODEL, "INCP");
      EXPECT(model == NULL);
      b[i] = 'I';
    }
  }
  memmove((unsigned char*)g_bytes_storage + 1, g_bytes_storage, size);
  EXPECT_ERROR(incept_model_load_bytes((unsigned char*)g_bytes_storage + 1, size, NULL, &model),
               INCEPT_STATUS_INVALID_ARGUMENT, "aligned");
  memmove(g_bytes_storage, (unsigned char*)g_bytes_storage + 1, size);
  EXPECT_ERROR(incept_model_load_file(NULL, NULL, &model), INCEPT_STATUS_INVALID_ARGUMENT, "path is NULL");
  EXPECT_ERROR(incept_interpreter_create(NULL, NULL, &it), INCEPT_STATUS_INVALID_ARGUMENT, "model handle is NULL");
  EXPECT(it == NULL);
  EXPECT_ERROR(incept_interpreter_prepare(NULL), INCEPT_STATUS_INVALID_ARGUMENT, "interpreter handle is NULL");
  EXPECT_ERROR(incept_interpreter_invoke(NULL), INCEPT_STATUS_INVALID_ARGUMENT, "interpreter handle is NULL");
  EXPECT_ERROR(incept_interpreter_arena_bytes(NULL, &need), INCEPT_STATUS_INVALID_ARGUMENT,
               "interpreter handle is NULL");
  EXPECT_ERROR(incept_interpreter_input(NULL, 0, &in), INCEPT_STATUS_INVALID_ARGUMENT, "interpreter handle is NULL");
  EXPECT_ERROR(incept_interpreter_output_by_name(NULL, "x", &out), INCEPT_STATUS_INVALID_ARGUMENT,
               "interpreter handle is NULL");
  EXPECT(incept_interpreter_num_inputs(NULL) == 0 && incept_interpreter_num_outputs(NULL) == 0);
  incept_model_free(NULL);
  incept_interpreter_free(NULL);

  /* The bytes path loads (in place) as well as the file path. */
  EXPECT(incept_model_load_bytes(g_bytes_storage, size, &lopt, &model) == INCEPT_STATUS_OK);
  incept_model_free(model);
  model = NULL;
  if (incept_model_load_file(path, &lopt, &model) != INCEPT_STATUS_OK) {
    fprintf(stderr, "load %s: %s\n", path, incept_last_error());
    return 1;
  }

  /* A caller arena one byte too small is refused, stating the need. */
  EXPECT(incept_interpreter_create(model, &iopt, &small) == INCEPT_STATUS_OK);
  EXPECT(incept_interpreter_arena_bytes(small, &need) == INCEPT_STATUS_OK);
  EXPECT(need > 0 && need <= ARENA_CAP);
  EXPECT_ERROR(incept_interpreter_prepare_with_arena(small, arena, need - 1), INCEPT_STATUS_ARENA_TOO_SMALL, "arena");
  iopt.threads = 0;
  EXPECT_ERROR(incept_interpreter_create(model, &iopt, &it), INCEPT_STATUS_INVALID_ARGUMENT, "threads");
  iopt.threads = 1;
  iopt.winograd = 2;
  EXPECT_ERROR(incept_interpreter_create(model, &iopt, &it), INCEPT_STATUS_INVALID_ARGUMENT,
               "winograd must be 0 or 1, got 2");
  iopt.winograd = 0; /* every conv direct: still a valid interpreter */
  EXPECT(incept_interpreter_create(model, &iopt, &it) == INCEPT_STATUS_OK);
  EXPECT(incept_interpreter_prepare(it) == INCEPT_STATUS_OK);
  incept_interpreter_free(it);
  it = NULL;
  iopt.winograd = 1;
  iopt.max_arena_bytes = need - 1;
  incept_interpreter_free(small);
  small = NULL;
  EXPECT(incept_interpreter_create(model, &iopt, &small) == INCEPT_STATUS_OK);
  EXPECT_ERROR(incept_interpreter_prepare(small), INCEPT_STATUS_ARENA_TOO_SMALL, "arena");
  incept_interpreter_free(small);
  iopt.max_arena_bytes = 0;

  /* The real run: static arena, deterministic input. */
  EXPECT(incept_interpreter_create(model, &iopt, &it) == INCEPT_STATUS_OK);
  EXPECT_ERROR(incept_interpreter_invoke(it), INCEPT_STATUS_INVALID_ARGUMENT, "prepare");
  EXPECT(incept_interpreter_arena_bytes(it, &need) == INCEPT_STATUS_OK);
  if (incept_interpreter_prepare_with_arena(it, arena, need) != INCEPT_STATUS_OK) {
    fprintf(stderr, "prepare: %s\n", incept_last_error());
    return 1;
  }
  EXPECT(incept_interpreter_num_inputs(it) >= 1 && incept_interpreter_num_outputs(it) >= 1);
  EXPECT(incept_interpreter_input(it, 0, &in) == INCEPT_STATUS_OK);
  EXPECT(in.data != NULL && in.bytes > 0 && in.rank >= 2 && in.name != NULL);
  EXPECT((unsigned char*)in.data >= arena && (unsigned char*)in.data + in.bytes <= arena + need);
  EXPECT(incept_interpreter_input_by_name(it, in.name, &in_named) == INCEPT_STATUS_OK);
  EXPECT(in_named.data == in.data && in_named.bytes == in.bytes && in_named.rank == in.rank);
  EXPECT_ERROR(incept_interpreter_input(it, 99, &scratch), INCEPT_STATUS_INVALID_ARGUMENT, "99");
  EXPECT_ERROR(incept_interpreter_output(it, -1, &scratch), INCEPT_STATUS_INVALID_ARGUMENT, "-1");
  EXPECT_ERROR(incept_interpreter_input_by_name(it, "no_such_tensor", &scratch), INCEPT_STATUS_INVALID_ARGUMENT,
               "no_such_tensor");
  EXPECT_ERROR(incept_interpreter_output_by_name(it, "no_such_output", &scratch), INCEPT_STATUS_INVALID_ARGUMENT,
               "no_such_output");
  /* A camera frame (RGBX, padded rows) into the float input: every value written and finite, the same frame
   * the same floats; and what is refused. (tests/runtime/image_input_test.cc holds the values to the formula.) */
  if (in.rank == 4 && in.dims[0] == 1 && in.dims[3] == 3) {
    const size_t row = (size_t)in.dims[2] * 4 + 3, n = (size_t)in.dims[1] * in.dims[2] * 3;
    unsigned char* px = (unsigned char*)malloc(row * (size_t)in.dims[1]);
    float* first = (float*)malloc(n * sizeof(float));
    EXPECT(px != NULL && first != NULL);
    for (i = 0; i < row * (size_t)in.dims[1]; ++i) px[i] = (unsigned char)(i * 37u + 11u);
    for (i = 0; i < n; ++i) in.data[i] = NAN;
    EXPECT(incept_interpreter_set_input_image(it, 0, px, in.dims[1], in.dims[2], 4, row) == INCEPT_STATUS_OK);
    for (i = 0; i < n; ++i) EXPECT(isfinite(in.data[i]));
    memcpy(first, in.data, n * sizeof(float));
    EXPECT(incept_interpreter_set_input_image(it, 0, px, in.dims[1], in.dims[2], 4, row) == INCEPT_STATUS_OK);
    EXPECT(memcmp(first, in.data, n * sizeof(float)) == 0);
    EXPECT_ERROR(incept_interpreter_set_input_image(it, 0, px, in.dims[1] + 1, in.dims[2], 3, 0),
                 INCEPT_STATUS_INVALID_ARGUMENT, "scale it to");
    EXPECT_ERROR(incept_interpreter_set_input_image(it, 0, NULL, in.dims[1], in.dims[2], 3, 0),
                 INCEPT_STATUS_INVALID_ARGUMENT, "null");
    EXPECT_ERROR(incept_interpreter_set_input_image(it, 9, px, in.dims[1], in.dims[2], 3, 0),
                 INCEPT_STATUS_INVALID_ARGUMENT, "out of range");
    EXPECT_ERROR(incept_interpreter_set_input_image(NULL, 0, px, in.dims[1], in.dims[2], 3, 0),
                 INCEPT_STATUS_INVALID_ARGUMENT, "NULL");
    free(first);
    free(px);
  }
  /* A PyTorch-ordered (NCHW) buffer, transposed on the copy; NHWC copied as it is; what is refused. */
  if (in.rank == 4) {
    const int h = in.dims[1], w = in.dims[2], c = in.dims[3];
    const size_t n = in.bytes / sizeof(float);
    float* x = (float*)malloc(n * sizeof(float));
    EXPECT(x != NULL);
    for (i = 0; i < n; ++i) x[i] = (float)i;
    EXPECT(incept_interpreter_set_input(it, 0, x, n, INCEPT_LAYOUT_NCHW) == INCEPT_STATUS_OK);
    /* NHWC (0, y, x, ch) holds NCHW element (0, ch, y, x) */
    EXPECT(in.data[c - 1] == (float)((c - 1) * h * w) && in.data[c] == 1.0f);
    EXPECT(incept_interpreter_set_input(it, 0, x, n, INCEPT_LAYOUT_NHWC) == INCEPT_STATUS_OK);
    EXPECT(memcmp(in.data, x, n * sizeof(float)) == 0);
    EXPECT_ERROR(incept_interpreter_set_input(it, 0, x, n - 1, INCEPT_LAYOUT_NHWC), INCEPT_STATUS_INVALID_ARGUMENT,
                 "holds");
    EXPECT_ERROR(incept_interpreter_set_input(it, 0, x, n, (incept_layout)7), INCEPT_STATUS_INVALID_ARGUMENT,
                 "layout 7");
    EXPECT_ERROR(incept_interpreter_set_input(it, 9, x, n, INCEPT_LAYOUT_NCHW), INCEPT_STATUS_INVALID_ARGUMENT,
                 "out of range");
    EXPECT_ERROR(incept_interpreter_set_input(it, 0, NULL, n, INCEPT_LAYOUT_NCHW), INCEPT_STATUS_INVALID_ARGUMENT,
                 "null");
    EXPECT_ERROR(incept_interpreter_set_input(NULL, 0, x, n, INCEPT_LAYOUT_NCHW), INCEPT_STATUS_INVALID_ARGUMENT,
                 "NULL");
    free(x);
  }
  fill_input(&in);
  EXPECT(incept_interpreter_invoke(it) == INCEPT_STATUS_OK);

  for (o = 0; o < incept_interpreter_num_outputs(it); ++o) {
    EXPECT(incept_interpreter_output(it, o, &out) == INCEPT_STATUS_OK);
    EXPECT(incept_interpreter_output_by_name(it, out.name, &out_named) == INCEPT_STATUS_OK);
    EXPECT(out_named.data == out.data && out_named.bytes == out.bytes);
    for (i = 0; i < out.bytes / sizeof(float); ++i) EXPECT(isfinite(out.data[i]));
  }

  /* Two invokes on the same input give identical bits. */
  EXPECT(incept_interpreter_output(it, 0, &out) == INCEPT_STATUS_OK);
  n_out = out.bytes;
  first = (float*)malloc(n_out);
  EXPECT(first != NULL);
  if (first != NULL) {
    memcpy(first, out.data, n_out);
    EXPECT(incept_interpreter_invoke(it) == INCEPT_STATUS_OK);
    EXPECT(memcmp(first, out.data, n_out) == 0);
    free(first);
  }

  incept_interpreter_free(it);
  incept_model_free(model);
  if (g_failures != 0) {
    fprintf(stderr, "c_api_test: %d failure(s)\n", g_failures);
    return 1;
  }
  printf("c_api_test: ok (incept %s, arena %zu bytes)\n", incept_version(), need);
  return 0;
}
