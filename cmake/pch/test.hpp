// Precompiled for the test programs (cmake/precompiled_headers.cmake).
#pragma once

#include "common.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
