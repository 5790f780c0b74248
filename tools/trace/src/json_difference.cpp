#include "trace/json_difference.hpp"

#include <algorithm>

namespace trace {
namespace {

namespace json = qmp::json;

constexpr std::string_view kRedacted = "<redacted>";

std::string shown(const json::Value& v) {
  std::string text = json::to_string(v);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string join(const std::string& path, const std::string& segment) {
  return path.empty() ? segment : path + "." + segment;
}

struct Walk {
  const std::vector<std::string>& ignored;

  bool skipped(const std::string& path) const {
    return std::find(ignored.begin(), ignored.end(), path) != ignored.end();
  }

  std::optional<std::string> differ(const std::string& path, const std::string& a, const std::string& b) const {
    return (path.empty() ? std::string("(the whole value)") : path) + ": recorded " + a + ", got " + b;
  }

  std::optional<std::string> compare(const json::Value& r, const json::Value& g, const std::string& path) const {
    if (!path.empty() && skipped(path)) return std::nullopt;
    if (r.IsString() && json::view(r) == kRedacted) return std::nullopt;
    if (r.IsObject() && g.IsObject()) {
      for (auto it = r.MemberBegin(); it != r.MemberEnd(); ++it) {
        const std::string key(json::view(it->name));
        const std::string sub = join(path, key);
        // A key given twice is read as everywhere else in qmpc, by its first value, on both sides: the same text
        // then never differs from itself.
        const json::Value& mine = *json::find(r, key);
        const json::Value* other = json::find(g, key);
        if (!other) {
          if (skipped(sub)) continue;
          return differ(sub, shown(mine), "nothing");
        }
        if (auto d = compare(mine, *other, sub)) return d;
      }
      for (auto it = g.MemberBegin(); it != g.MemberEnd(); ++it) {
        const std::string key(json::view(it->name));
        const std::string sub = join(path, key);
        if (!json::find(r, key) && !skipped(sub)) return differ(sub, "nothing", shown(it->value));
      }
      return std::nullopt;
    }
    if (r.IsArray() && g.IsArray()) {
      const auto n = std::min(r.Size(), g.Size());
      for (rapidjson::SizeType i = 0; i < n; ++i)
        if (auto d = compare(r[i], g[i], join(path, std::to_string(i)))) return d;
      if (r.Size() != g.Size())
        return differ(path, std::to_string(r.Size()) + " elements", std::to_string(g.Size()));
      return std::nullopt;
    }
    if (r == g) return std::nullopt;
    return differ(path, shown(r), shown(g));
  }
};

}  // namespace

std::optional<std::string> first_difference(const qmp::json::Value& recorded, const qmp::json::Value& got,
                                            const std::vector<std::string>& ignored) {
  return Walk{ignored}.compare(recorded, got, "");
}

}  // namespace trace
