#include "cli/match_condition.hpp"
#include "cli/subcommands.hpp"

namespace qmpc::cli {

void add_match_option(CLI::App& c, std::vector<qmp::DataCondition>& out, const std::string& help) {
  c.add_option_function<std::vector<std::string>>(
       "--match",
       [&out](const std::vector<std::string>& words) {
         for (const auto& w : words) {
           std::string error;
           auto condition = parse_match_condition(w, &error);
           if (!condition) throw UsageError("--match: " + error);
           out.push_back(std::move(*condition));
         }
       },
       help)
      ->type_name("PATH=VALUE");
}

}  // namespace qmpc::cli
