// The recorded query-qmp-schema replies of fixtures/schema, loaded once each, and JSON literals for tests.
#pragma once

#include "qmp/json.hpp"
#include "qmp/schema.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace schema_test {

// The schema QEMU `version` ("7.2", "10.0", "5.2") reported; throws when the fixture is missing or unreadable.
inline const qmp::Schema& recorded_schema(const std::string& version) {
  static std::map<std::string, qmp::Schema> loaded;
  if (const auto it = loaded.find(version); it != loaded.end()) return it->second;
  const std::string path = std::string(QMPC_SCHEMA_FIXTURES_DIR) + "/qemu-" + version + ".json";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  qmp::json::Document doc;
  if (qmp::json::parse(doc, text.str())) throw std::runtime_error(path + " is not JSON");
  std::string error;
  auto schema = qmp::Schema::from_reply(doc, &error);
  if (!schema) throw std::runtime_error(path + ": " + error);
  return loaded.emplace(version, std::move(*schema)).first->second;
}

// A JSON document from a literal; throws when it is not JSON.
inline qmp::json::Document json_doc(std::string_view text) {
  qmp::json::Document doc;
  if (qmp::json::parse(doc, text)) throw std::runtime_error("not JSON: " + std::string(text));
  return doc;
}

// The QEMU versions recorded, and their test names ("qemu_7_2").
inline const auto kRecordedVersions = testing::Values(std::string("5.2"), std::string("7.2"), std::string("10.0"));
inline std::string version_name(const testing::TestParamInfo<std::string>& param) {
  std::string name = "qemu_" + param.param;
  for (char& c : name) c = c == '.' ? '_' : c;
  return name;
}

}  // namespace schema_test
