#include "detail/message_blocks.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace {

using qmp::detail::allocate_message_block;
using qmp::detail::free_message_block;
using qmp::detail::kMessageBlocksKept;

TEST(MessageBlocks, AFreedBlockServesTheNextRequestOfItsSizeClass) {
  if (!kMessageBlocksKept) GTEST_SKIP() << "blocks are not kept under AddressSanitizer";
  void* a = allocate_message_block(600);
  std::memset(a, 0x5a, 600);
  free_message_block(a, 600);
  void* b = allocate_message_block(700);  // 600 and 700 are both in the class of 768 bytes
  EXPECT_EQ(a, b);
  std::memset(b, 0x5a, 768);  // the whole class is usable
  void* c = allocate_message_block(300);  // another class: not the same block
  EXPECT_NE(b, c);
  free_message_block(b, 700);
  free_message_block(c, 300);
}

TEST(MessageBlocks, BlocksBeyondEightKibibytesGoBackToTheHeap) {
  if (!kMessageBlocksKept) GTEST_SKIP() << "blocks are not kept under AddressSanitizer";
  void* big = allocate_message_block(8193);
  free_message_block(big, 8193);
  void* small = allocate_message_block(8192);
  std::memset(small, 1, 8192);
  free_message_block(small, 8192);
  EXPECT_EQ(allocate_message_block(8192), small);  // kept
  free_message_block(small, 8192);
}

TEST(MessageBlocks, NoMoreThanOneMebibyteIsKept) {
  if (!kMessageBlocksKept) GTEST_SKIP() << "blocks are not kept under AddressSanitizer";
  std::thread([] {
    // A thread of its own: its lists start empty. 200 blocks of 8 KiB (1.6 MiB) freed: 128 are kept.
    std::vector<void*> blocks;
    for (int i = 0; i < 200; ++i) blocks.push_back(allocate_message_block(8192));
    for (void* b : blocks) free_message_block(b, 8192);
    std::vector<void*> again;
    for (int i = 0; i < 200; ++i) again.push_back(allocate_message_block(8192));
    int reused = 0;
    for (void* b : again) {
      for (void* old : blocks) reused += b == old ? 1 : 0;
    }
    // Those beyond the 128 kept come from the heap, which may hand some old addresses out again.
    EXPECT_GE(reused, 128);
    for (void* b : again) free_message_block(b, 8192);
  }).join();
}

TEST(MessageBlocks, ABlockFreedOnAnotherThreadIsKeptThere) {
  void* a = allocate_message_block(512);
  std::thread([a] { free_message_block(a, 512); }).join();  // that thread's lists are emptied when it ends
  void* b = allocate_message_block(512);
  std::memset(b, 0, 512);
  free_message_block(b, 512);
  SUCCEED();  // LeakSanitizer and AddressSanitizer builds check that nothing leaked or was freed twice
}

}  // namespace
