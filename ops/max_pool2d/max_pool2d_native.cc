// SPDX-License-Identifier: Apache-2.0
#include "max_pool2d/max_pool2d_native.h"

#include "common/parallel.h"

namespace incept::ops {
namespace {

struct Job {
  MaxPoolRowsFn rows;
  const MaxPool2DParams* p;
  ConstTensorView<float> in;
  TensorView<float> out;
};

void run_row(void* context, size_t row) {
  const Job& job = *static_cast<const Job*>(context);
  job.rows(*job.p, job.in, job.out, static_cast<int64_t>(row), static_cast<int64_t>(row) + 1);
}

}  // namespace

void max_pool2d_f32_native(MaxPoolRowsFn rows, const MaxPool2DParams& p, ConstTensorView<float> in,
                           TensorView<float> out, pthreadpool_t pool) {
  Job job{rows, &p, in, out};
  parallel_for(pool, run_row, &job, static_cast<size_t>(out.n) * static_cast<size_t>(out.h));
}

}  // namespace incept::ops
