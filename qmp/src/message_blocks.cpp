#include "detail/message_blocks.hpp"

#include <array>
#include <new>

namespace qmp::detail {
namespace {

constexpr std::size_t kGranule = 256;
constexpr std::size_t kClasses = 32;  // blocks of up to 8 KiB
constexpr std::size_t kBudget = std::size_t{1} << 20;

std::size_t class_of(std::size_t bytes) noexcept { return (bytes + kGranule - 1) / kGranule; }

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible, so that it stays usable while other thread-local objects are destroyed (a message
// freed then goes back to the heap).
struct Lists {
  std::array<FreeBlock*, kClasses> heads;
  std::size_t kept;
  bool registered;
  bool closed;
};
thread_local Lists lists{};

void drain() noexcept {
  for (auto& head : lists.heads) {
    while (head) {
      FreeBlock* b = head;
      head = b->next;
      ::operator delete(static_cast<void*>(b));
    }
  }
  lists.kept = 0;
}

// Empties the lists when the thread ends.
struct Drain {
  ~Drain() {
    drain();
    lists.closed = true;
  }
};

}  // namespace

void* allocate_message_block(std::size_t bytes) {
  const std::size_t c = class_of(bytes);
  if (c == 0 || c > kClasses) return ::operator new(bytes);
  if (FreeBlock* b = lists.heads[c - 1]) {
    lists.heads[c - 1] = b->next;
    lists.kept -= c * kGranule;
    return b;
  }
  return ::operator new(c * kGranule);
}

void free_message_block(void* block, std::size_t bytes) noexcept {
  const std::size_t c = class_of(bytes);
  if (!kMessageBlocksKept || c == 0 || c > kClasses || lists.closed || lists.kept + c * kGranule > kBudget) {
    ::operator delete(block);
    return;
  }
  if (!lists.registered) {
    lists.registered = true;
    thread_local Drain drain_at_exit;
    (void)drain_at_exit;
  }
  auto* b = static_cast<FreeBlock*>(block);
  b->next = lists.heads[c - 1];
  lists.heads[c - 1] = b;
  lists.kept += c * kGranule;
}

}  // namespace qmp::detail
