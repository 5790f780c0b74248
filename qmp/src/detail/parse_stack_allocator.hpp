// The parse stack of a message's document (RapidJSON's StackAllocator): one buffer per thread, reused by every
// parse on that thread. RapidJSON takes its stack when a parse begins and gives it back when it ends, so with the
// default allocator every message costs a malloc and a free; a parse that needs more than the buffer holds, or a
// second one while the first holds it, gets heap memory.
#pragma once

#include <cstddef>

namespace qmp::json::detail {

class ParseStackAllocator {
 public:
  static constexpr bool kNeedFree = true;
  static constexpr std::size_t kBufferSize = 1024;  // QEMU's events and most replies (16 bytes per pending value)

  void* Malloc(std::size_t size);
  void* Realloc(void* block, std::size_t old_size, std::size_t new_size);
  static void Free(void* block) noexcept;
};

}  // namespace qmp::json::detail
