// A path segment that indexes an array: a whole number of at most 9 digits ("0", "12").
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace qmp::detail {

inline std::optional<std::size_t> array_index(std::string_view segment) noexcept {
  if (segment.empty() || segment.size() > 9 || segment.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::size_t i = 0;
  for (char c : segment) i = i * 10 + static_cast<std::size_t>(c - '0');
  return i;
}

}  // namespace qmp::detail
