#include "detail/parse_stack_allocator.hpp"

#include <cstdlib>
#include <cstring>

namespace qmp::json::detail {
namespace {

struct Buffer {
  alignas(std::max_align_t) char bytes[ParseStackAllocator::kBufferSize];
  bool taken;
};
thread_local Buffer buffer{};

bool is_buffer(const void* block) noexcept { return block == static_cast<const void*>(buffer.bytes); }

}  // namespace

void* ParseStackAllocator::Malloc(std::size_t size) {
  if (size == 0) return nullptr;
  if (!buffer.taken && size <= kBufferSize) {
    buffer.taken = true;
    return buffer.bytes;
  }
  return std::malloc(size);
}

void* ParseStackAllocator::Realloc(void* block, std::size_t old_size, std::size_t new_size) {
  if (new_size == 0) {
    Free(block);
    return nullptr;
  }
  if (!block) return Malloc(new_size);
  if (!is_buffer(block)) return std::realloc(block, new_size);
  if (new_size <= kBufferSize) return block;
  void* grown = std::malloc(new_size);
  if (grown) {
    std::memcpy(grown, block, old_size < kBufferSize ? old_size : kBufferSize);
    buffer.taken = false;
  }
  return grown;
}

void ParseStackAllocator::Free(void* block) noexcept {
  if (is_buffer(block)) {
    buffer.taken = false;
  } else {
    std::free(block);
  }
}

}  // namespace qmp::json::detail
