// Fatal assertions for coroutine test bodies. gtest's ASSERT_* leave the function with `return`, which a coroutine
// cannot use; these record the same fatal failure and leave with `co_return`. Messages stream as usual:
//   CO_ASSERT_FALSE(ec) << ec.message();
#pragma once

#include <gtest/gtest.h>

#define QMPC_CO_FATAL_FAILURE_(message) co_return GTEST_MESSAGE_(message, ::testing::TestPartResult::kFatalFailure)

#define CO_ASSERT_TRUE(condition) \
  GTEST_TEST_BOOLEAN_(condition, #condition, false, true, QMPC_CO_FATAL_FAILURE_)
#define CO_ASSERT_FALSE(condition) \
  GTEST_TEST_BOOLEAN_(!(condition), #condition, true, false, QMPC_CO_FATAL_FAILURE_)
#define CO_ASSERT_EQ(val1, val2) \
  GTEST_PRED_FORMAT2_(::testing::internal::EqHelper::Compare, val1, val2, QMPC_CO_FATAL_FAILURE_)
#define CO_ASSERT_NE(val1, val2) \
  GTEST_PRED_FORMAT2_(::testing::internal::CmpHelperNE, val1, val2, QMPC_CO_FATAL_FAILURE_)
#define CO_ASSERT_GT(val1, val2) \
  GTEST_PRED_FORMAT2_(::testing::internal::CmpHelperGT, val1, val2, QMPC_CO_FATAL_FAILURE_)
#define CO_ASSERT_GE(val1, val2) \
  GTEST_PRED_FORMAT2_(::testing::internal::CmpHelperGE, val1, val2, QMPC_CO_FATAL_FAILURE_)
