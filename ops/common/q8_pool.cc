// SPDX-License-Identifier: Apache-2.0
#include "common/q8_pool.h"

#include "isa/isa_table.h"

namespace incept::ops {

Status q8_pool_create(const KernelConfig& c, const MaxPool2DParams* p_max, const AvgPool2DParams* p_avg,
                      KernelPlan* plan) {
  INCEPT_CHECK(is_q8(c.input_types[0]) && is_q8(c.output_type), kUnsupported, "not an 8-bit op");
  auto s = std::make_unique<Q8PoolState>();
  const Q8PoolUkernels& uk = c.kernel->table->q8_pool;
  if (p_avg != nullptr) {
    const int64_t window = int64_t{p_avg->kernel.h} * p_avg->kernel.w;
    INCEPT_CHECK(window <= (int64_t{1} << 31) / 255, kUnsupported, "an int32 sum cannot hold a window of %lld",
                 static_cast<long long>(window));
    s->avg = *p_avg;
    s->proto.avg = &s->avg;
    s->fn = uk.avg_row;
  } else {
    s->max = *p_max;
    s->proto.max = &s->max;
    s->fn = uk.max_row;
  }
  const Activation act = p_avg != nullptr ? p_avg->activation : p_max->activation;
  Q8PoolRow& r = s->proto;
  r.in_type = c.input_types[0];
  r.out_type = c.output_type;
  r.qin = c.input_quant[0];
  r.qout = c.output_quant;
  if (r.out_type == DataType::kQS8) {
    r.lo = q8_lower_bound<int8_t>(act, r.qout.zero_point), r.hi = QRange<int8_t>::hi;
  } else {
    r.lo = q8_lower_bound<uint8_t>(act, r.qout.zero_point), r.hi = QRange<uint8_t>::hi;
  }
  plan->state = std::move(s);
  return Status::ok();
}

namespace {

struct Job {
  const Q8PoolState* s;
  const KernelIo* io;
};

void run_row(void* context, size_t i) {
  const Job& job = *static_cast<const Job*>(context);
  Q8PoolRow r = job.s->proto;
  r.in = job.io->inputs[0];
  r.out = job.io->out;
  r.n = static_cast<int32_t>(static_cast<int64_t>(i) / r.out.h);
  r.oy = static_cast<int32_t>(static_cast<int64_t>(i) % r.out.h);
  job.s->fn(r);
}

}  // namespace

void q8_pool_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool) {
  Job job{static_cast<const Q8PoolState*>(state), &io};
  parallel_for(pool, run_row, &job, static_cast<size_t>(int64_t{io.out.n} * io.out.h));
}

}  // namespace incept::ops
