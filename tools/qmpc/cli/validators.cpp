#include "cli/validators.hpp"

#include "cli/size_value.hpp"

#include <cstdlib>
#include <string>

namespace qmpc::cli {

CLI::Validator size_transform() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::string error;
        auto v = parse_size(text, &error);
        if (!v) return error;
        text = std::to_string(*v);
        return {};
      },
      "");
}

CLI::Validator seconds_check(bool positive) {
  return CLI::Validator(
      [positive](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(v == v) || v > 1e9)
          return "'" + text + "' is not a number of seconds (e.g. 10 or 0.5)";
        if (v < 0 || (positive && v == 0))
          return std::string("must be ") + (positive ? "more than 0" : "0 or more") + " seconds";
        return {};
      },
      "");
}

CLI::Validator count_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return "'" + text + "' is not a whole number";
        if (text.find_first_not_of('0') == std::string::npos) return "must be at least 1";
        return {};
      },
      "");
}

CLI::Validator quiet(CLI::Validator v) {
  v.description("");
  return v;
}

}  // namespace qmpc::cli
