// CLI11 checks and transforms shared by the subcommands and the global options (internal to cli/).
#pragma once

#include <CLI/CLI.hpp>

namespace qmpc::cli {

// A size with an optional K, M or G suffix (parse_size), turned into the number of bytes.
CLI::Validator size_transform();

// Seconds: a non-negative number (positive when `positive`), e.g. 10 or 0.5.
CLI::Validator seconds_check(bool positive);

// A whole number of at least 1.
CLI::Validator count_check();

// `v` without the description CLI11 would append to the option's type name in --help (the help text names the
// allowed values itself).
CLI::Validator quiet(CLI::Validator v);

}  // namespace qmpc::cli
