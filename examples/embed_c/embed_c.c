/* SPDX-License-Identifier: Apache-2.0 */
/* embed_c: the smallest C program that runs an incept model with a static arena. Every activation of
 * the network lives in `arena` below; incept allocates nothing while it runs.
 *
 *   embed_c MODEL.incept [INPUT.f32]
 *
 * INPUT.f32 holds the model's input as raw float32 in NHWC order (already preprocessed); without it the
 * input is all zeros (the mean image). Prints the output's five largest values with their indices.
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

static int read_input(const char* path, const incept_tensor* in) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  const size_t got = fread(in->data, 1, in->bytes, f);
  const int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != in->bytes || extra) {
    fprintf(stderr, "embed_c: %s must hold exactly %zu bytes (the input '%s' as float32 NHWC)\n", path, in->bytes,
            in->name);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: embed_c MODEL.incept [INPUT.f32]\n");
    return 2;
  }
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
  if (argc == 3) {
    if (read_input(argv[2], &in) != 0) return 1;
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
