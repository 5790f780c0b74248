// What the fuzz targets share: a check that stops the fuzzer with a message when a property of the code under
// test does not hold (libFuzzer keeps the input as a crash).
#pragma once

#include <cstdio>
#include <string_view>

#define QMPC_FUZZ_CHECK(cond, what)                                                              \
  do {                                                                                           \
    if (!(cond)) ::qmpc_fuzz::fail(__FILE__, __LINE__, #cond, (what));                          \
  } while (0)

namespace qmpc_fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, std::string_view what) {
  std::fprintf(stderr, "%s:%d: property violated: %s: %.*s\n", file, line, cond, static_cast<int>(what.size()),
               what.data());
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace qmpc_fuzz
