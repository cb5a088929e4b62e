// SPDX-License-Identifier: Apache-2.0
// Model: owns the file mapping (or borrows caller bytes) and the verified graph.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "incept/model.h"
#include "loader/graph.h"

namespace incept {
namespace detail {

void release_mapping(void* mapping, size_t size) {
  if (mapping != nullptr) munmap(mapping, size);
}

void release_pages(const ModelData& d, const void* data, size_t bytes) {
  if (d.mapping == nullptr || bytes == 0) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;  // whole pages only
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace detail

Model::Model(std::unique_ptr<detail::ModelData> d) : data_(std::move(d)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Result<Model> Model::from_bytes(const void* data, size_t size, const LoadOptions& options) {
  INCEPT_CHECK(data != nullptr, kInvalidArgument, "model bytes are null");
  INCEPT_CHECK(reinterpret_cast<uintptr_t>(data) % detail::kModelAlignment == 0, kInvalidArgument,
               "model bytes at %p are not %zu-byte aligned (tables and weights are read in place; 64-byte alignment "
               "is best)",
               data, detail::kModelAlignment);
  auto d = std::make_unique<detail::ModelData>();
  INCEPT_RETURN_IF_ERROR(detail::load_model(static_cast<const uint8_t*>(data), size, options, d.get()));
  return Model(std::move(d));
}

Result<Model> Model::from_file(const char* path, const LoadOptions& options) {
  INCEPT_CHECK(path != nullptr, kInvalidArgument, "model path is null");
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  INCEPT_CHECK(fd >= 0, kIoError, "cannot open model file '%s': %s", path, std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return Status::error(StatusCode::kIoError, "cannot stat model file '%s': %s", path, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return Status::error(StatusCode::kIoError, "'%s' is not a regular file (it is a %s)", path,
                         S_ISDIR(st.st_mode) ? "directory" : "device, pipe or socket");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return Status::error(StatusCode::kInvalidModel, "model file '%s' is empty", path);
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_err = errno;
  close(fd);
  INCEPT_CHECK(map != MAP_FAILED, kIoError, "cannot map model file '%s' (%zu bytes): %s", path, size,
               std::strerror(map_err));
  auto d = std::make_unique<detail::ModelData>();
  d->mapping = map;
  d->mapping_size = size;
  const Status s = detail::load_model(static_cast<const uint8_t*>(map), size, options, d.get());
  if (!s.is_ok()) return Status::error(s.code(), "%s: %s", path, s.message());
  return Model(std::move(d));
}

int Model::num_inputs() const { return static_cast<int>(data_->inputs.size()); }
int Model::num_outputs() const { return static_cast<int>(data_->outputs.size()); }
const char* Model::input_name(int i) const { return data_->tensors[data_->inputs[i]].name.c_str(); }
const char* Model::output_name(int i) const { return data_->tensors[data_->outputs[i]].name.c_str(); }
Shape Model::input_shape(int i) const { return data_->tensors[data_->inputs[i]].shape; }
Shape Model::output_shape(int i) const { return data_->tensors[data_->outputs[i]].shape; }
int Model::num_ops() const { return static_cast<int>(data_->ops.size()); }
int Model::num_tensors() const { return static_cast<int>(data_->tensors.size()); }
size_t Model::weights_bytes() const { return data_->weights_bytes; }
const char* Model::architecture() const { return data_->architecture.c_str(); }
const char* Model::producer() const { return data_->producer.c_str(); }
int Model::input_height() const { return data_->input_height; }
int Model::input_width() const { return data_->input_width; }
const float* Model::mean() const { return data_->mean; }
const float* Model::std_dev() const { return data_->std_dev; }
ChannelOrder Model::channel_order() const { return data_->channel_order; }
int Model::num_labels() const { return static_cast<int>(data_->labels.size()); }
const char* Model::label(int i) const {
  return i >= 0 && static_cast<size_t>(i) < data_->labels.size() ? data_->labels[i].c_str() : "";
}

}  // namespace incept
