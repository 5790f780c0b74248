// Precompiled for the targets that parse the command line (cmake/precompiled_headers.cmake).
#pragma once

#include "common.hpp"

#include <CLI/CLI.hpp>
