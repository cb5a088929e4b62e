/* SPDX-License-Identifier: Apache-2.0 */
/* embed_c: the smallest C program that runs an incept model with a static arena. Every activation of
 * the network lives in `arena` below; incept allocates nothing while it runs.
 *
 *   embed_c MODEL.incept [INPUT.f32 [nhwc|nchw]]
 *
 * INPUT.f32 holds the model's input as raw float32 (already preprocessed), in NHWC order, incept's own
 * (channels last: [1, H, W, 3] for an image), or with `nchw` in PyTorch's order ([1, 3, H, W], what
 * x.numpy().tofile() writes for a PyTorch tensor), which incept_interpreter_set_input transposes on the copy.
 * The layout cannot be read from the bytes: the wrong one gives wrong answers without an error. Without
 * INPUT.f32 the input is all zeros (the mean image). Prints the output's five largest values with their
 * indices.
 * Build with -DEMBED_ARENA_BYTES=N for a model that needs more than 16 MiB (the program says so). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incept/c_api.h"

#ifndef EMBED_ARENA_BYTES
#define EMBED_ARENA_BYTES (16u << 20) /* Inception-v4 at 299x299 needs 9.6 MiB */
#endif
_Alignas(64) static unsigned char arena[EMBED_ARENA_BYTES];

static int fail(const char* what) {
  fprintf(stderr, "embed_c: %s: %s\n", what, incept_last_error());
  return 1;
}

/* Reads `path` (exactly the input's bytes) into input 0 of `it`, in `layout` order. */
static int read_input(const char* path, incept_interpreter* it, const incept_tensor* in, incept_layout layout) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  float* x = (float*)malloc(in->bytes); /* the file's floats; incept itself allocates nothing */
  const size_t got = x != NULL ? fread(x, 1, in->bytes, f) : 0;
  const int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != in->bytes || extra) {
    fprintf(stderr, "embed_c: %s must hold exactly %zu bytes (the input '%s' as float32 %s)\n", path, in->bytes,
            in->name, layout == INCEPT_LAYOUT_NCHW ? "NCHW" : "NHWC");
    free(x);
    return 1;
  }
  const incept_status s = incept_interpreter_set_input(it, 0, x, in->bytes / sizeof(float), layout);
  free(x);
  return s == INCEPT_STATUS_OK ? 0 : fail("set_input");
}

int main(int argc, char** argv) {
  const int has_layout = argc == 4 && (strcmp(argv[3], "nhwc") == 0 || strcmp(argv[3], "nchw") == 0);
  if (argc < 2 || argc > 4 || (argc == 4 && !has_layout)) {
    fprintf(stderr, "usage: embed_c MODEL.incept [INPUT.f32 [nhwc|nchw]]\n");
    return 2;
  }
  const incept_layout layout = argc == 4 && strcmp(argv[3], "nchw") == 0 ? INCEPT_LAYOUT_NCHW : INCEPT_LAYOUT_NHWC;
  incept_model* model = NULL;
  incept_interpreter* it = NULL;
  if (incept_model_load_file(argv[1], NULL, &model) != INCEPT_STATUS_OK) return fail("load");
  if (incept_interpreter_create(model, NULL, &it) != INCEPT_STATUS_OK) return fail("create");

  size_t need = 0;
  if (incept_interpreter_arena_bytes(it, &need) != INCEPT_STATUS_OK) return fail("plan");
  if (need > sizeof(arena)) {
    fprintf(stderr, "embed_c: the model needs a %zu-byte arena; rebuild with -DEMBED_ARENA_BYTES=%zu\n", need, need);
    return 1;
  }
  if (incept_interpreter_prepare_with_arena(it, arena, sizeof(arena)) != INCEPT_STATUS_OK) return fail("prepare");

  incept_tensor in, out;
  if (incept_interpreter_input(it, 0, &in) != INCEPT_STATUS_OK) return fail("input");
  if (argc >= 3) {
    if (read_input(argv[2], it, &in, layout) != 0) return 1;
  } else {
    memset(in.data, 0, in.bytes);
  }
  if (incept_interpreter_invoke(it) != INCEPT_STATUS_OK) return fail("invoke");
  if (incept_interpreter_output(it, 0, &out) != INCEPT_STATUS_OK) return fail("output");

  /* The five largest outputs, best first. */
  const size_t n = out.bytes / sizeof(float);
  int best[5] = {-1, -1, -1, -1, -1};
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 5; ++k) {
      if (best[k] < 0 || out.data[i] > out.data[best[k]]) {
        memmove(&best[k + 1], &best[k], (size_t)(4 - k) * sizeof(int));
        best[k] = (int)i;
        break;
      }
    }
  }
  printf("incept %s: %s, arena %zu of %zu bytes\n", incept_version(), argv[1], need, sizeof(arena));
  for (int k = 0; k < 5 && best[k] >= 0; ++k) printf("  output[%d] = %.6g\n", best[k], out.data[best[k]]);

  incept_interpreter_free(it);
  incept_model_free(model);
  return 0;
}
