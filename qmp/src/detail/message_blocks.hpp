// Heap blocks for parsed messages, kept for reuse by the thread that frees them.
//
// A flood hands the reader a read's worth of messages (hundreds) before the subscriber frees any, so malloc's own
// per-thread cache (seven blocks per size) runs dry and every message goes through its slow path, twice. Freed
// blocks are kept here in lists by size (multiples of 256 bytes, up to 8 KiB), at most 1 MiB per thread; larger
// blocks, and any beyond that, go back to the heap. Under AddressSanitizer nothing is kept, so that a use after
// free is still caught.
#pragma once

#include <cstddef>

namespace qmp::detail {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kMessageBlocksKept = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kMessageBlocksKept = false;
#else
inline constexpr bool kMessageBlocksKept = true;
#endif
#else
inline constexpr bool kMessageBlocksKept = true;
#endif

// A block of at least `bytes` bytes, aligned as operator new aligns.
void* allocate_message_block(std::size_t bytes);
// Gives back a block from allocate_message_block(bytes), with the same `bytes`.
void free_message_block(void* block, std::size_t bytes) noexcept;

}  // namespace qmp::detail
