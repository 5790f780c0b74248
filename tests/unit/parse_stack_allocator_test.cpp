#include "detail/parse_stack_allocator.hpp"
#include "qmp/codec.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

using qmp::json::detail::ParseStackAllocator;

TEST(ParseStackAllocator, EveryParseOnAThreadGetsTheSameBufferBack) {
  ParseStackAllocator a;
  void* first = a.Realloc(nullptr, 0, 256);  // how RapidJSON's stack takes its first memory
  ParseStackAllocator::Free(first);
  void* second = a.Malloc(ParseStackAllocator::kBufferSize);
  EXPECT_EQ(first, second);
  ParseStackAllocator::Free(second);
}

TEST(ParseStackAllocator, ASecondStackWhileTheFirstIsHeldComesFromTheHeap) {
  ParseStackAllocator a;
  void* held = a.Malloc(64);
  void* other = a.Malloc(64);
  EXPECT_NE(held, other);
  std::memset(other, 1, 64);
  ParseStackAllocator::Free(other);
  ParseStackAllocator::Free(held);
  void* again = a.Malloc(64);
  EXPECT_EQ(again, held);
  ParseStackAllocator::Free(again);
}

TEST(ParseStackAllocator, GrowingPastTheBufferKeepsTheContentsAndGivesTheBufferBack) {
  ParseStackAllocator a;
  auto* buffer = static_cast<unsigned char*>(a.Malloc(512));
  for (int i = 0; i < 512; ++i) buffer[i] = static_cast<unsigned char>(i);
  auto* grown = static_cast<unsigned char*>(a.Realloc(buffer, 512, 4 * ParseStackAllocator::kBufferSize));
  ASSERT_NE(grown, nullptr);
  EXPECT_NE(static_cast<void*>(grown), static_cast<void*>(buffer));
  for (int i = 0; i < 512; ++i) ASSERT_EQ(grown[i], static_cast<unsigned char>(i)) << i;
  void* next = a.Malloc(16);
  EXPECT_EQ(next, static_cast<void*>(buffer));  // free again
  ParseStackAllocator::Free(next);
  EXPECT_EQ(a.Realloc(grown, 4 * ParseStackAllocator::kBufferSize, 0), nullptr);  // a realloc to 0 frees
}

TEST(ParseStackAllocator, MessagesWhoseParseOutgrowsTheBufferDecodeAsAnyOther) {
  // 400 nested arrays hold 400 values pending on the parse stack at once (16 bytes each: 6 KiB), in fewer than
  // kMaxDepth bytes.
  const std::string line = R"({"return": )" + std::string(400, '[') + std::string(400, ']') + R"(, "id": 7})";
  for (int round = 0; round < 3; ++round) {
    auto d = qmp::decode_line(line, 1, {});
    ASSERT_TRUE(d.message) << (d.error ? d.error->what : "");
    EXPECT_EQ(d.message->numeric_id(), 7u);
    const qmp::json::Value* v = d.message->result();
    int depth = 0;
    while (v && v->IsArray() && !v->Empty()) {
      v = &(*v)[0];
      ++depth;
    }
    EXPECT_EQ(depth, 399);
  }
}

}  // namespace
