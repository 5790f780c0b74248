#include "cli/key_value.hpp"

#include "qmp/json.hpp"

#include <rapidjson/error/en.h>

namespace qmpc::cli {
namespace {

using rapidjson::Value;

bool parse_json(std::string_view text, rapidjson::Document& out) {
  return !qmp::json::parse(out, text, /*full_precision=*/true);
}

bool looks_like_json_object(std::string_view word) {
  const auto first = word.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && word[first] == '{';
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// Puts `value` at the dotted `key` inside `root`.
bool insert(rapidjson::Document& root, std::string_view key, Value value, std::string* error) {
  auto& alloc = root.GetAllocator();
  Value* node = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const std::string_view segment = key.substr(start, dot == std::string_view::npos ? key.npos : dot - start);
    const std::string_view path = key.substr(0, dot == std::string_view::npos ? key.size() : dot);
    if (segment.empty())
      return fail(error, "empty key segment in '" + std::string(key) + "' (keys look like a or a.b)");
    auto it = node->FindMember(Value(rapidjson::StringRef(segment.data(), segment.size())));
    if (dot == std::string_view::npos) {
      if (it != node->MemberEnd()) {
        if (it->value.IsObject() || value.IsObject())
          return fail(error, "'" + std::string(path) + "' is used both as a value and as an object");
        return fail(error, "'" + std::string(path) + "' is set more than once");
      }
      node->AddMember(Value(segment.data(), static_cast<rapidjson::SizeType>(segment.size()), alloc), value, alloc);
      return true;
    }
    if (it == node->MemberEnd()) {
      node->AddMember(Value(segment.data(), static_cast<rapidjson::SizeType>(segment.size()), alloc),
                      Value(rapidjson::kObjectType), alloc);
      node = &(node->MemberEnd() - 1)->value;
    } else if (it->value.IsObject()) {
      node = &it->value;
    } else {
      return fail(error, "'" + std::string(path) + "' is used both as a value and as an object");
    }
    start = dot + 1;
  }
}

}  // namespace

std::string value_to_json(std::string_view value) {
  rapidjson::Document d;
  if (parse_json(value, d)) return qmp::json::to_string(d);
  std::string out;
  qmp::json::append_quoted(out, value);
  return out;
}

std::optional<std::string> build_arguments(std::span<const std::string> words, std::string* error) {
  if (words.empty()) return std::string();
  if (words.size() == 1 && looks_like_json_object(words[0])) {
    std::string why;
    auto doc = qmp::json::parse_object(words[0], &why);
    if (!doc) {
      fail(error, "the arguments are not a JSON object: " + why);
      return std::nullopt;
    }
    return qmp::json::to_string(*doc);
  }
  rapidjson::Document root(rapidjson::kObjectType);
  for (const auto& word : words) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      if (looks_like_json_object(word))
        fail(error, "a JSON object must be the only argument, not mixed with KEY=VALUE: '" + word + "'");
      else
        fail(error, "expected KEY=VALUE, got '" + word + "'");
      return std::nullopt;
    }
    const std::string_view key(word.data(), eq);
    const std::string_view text(word.data() + eq + 1, word.size() - eq - 1);
    if (key.empty()) {
      fail(error, "missing key before '=' in '" + word + "'");
      return std::nullopt;
    }
    rapidjson::Document parsed(&root.GetAllocator());
    Value value;
    if (parse_json(text, parsed))
      value.CopyFrom(parsed, root.GetAllocator());
    else
      value.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), root.GetAllocator());
    if (!insert(root, key, std::move(value), error)) return std::nullopt;
  }
  return qmp::json::to_string(root);
}

}  // namespace qmpc::cli
