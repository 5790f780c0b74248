// Builds the fuzz targets' seed corpora from fixtures/ (run by the build; nothing generated is checked in):
//
//   make_seeds FIXTURES_DIR OUT_DIR
//
//   OUT/codec/              one stream per transcript and per event fixture (its messages, "\r\n"-terminated),
//                           and each message of the transcripts alone; each starts with the settings byte 'l'
//                           (10 MiB maximum line, 64-byte reads, commands accepted)
//   OUT/transcript/         the transcripts
//   OUT/libvirt_import/     the libvirt logs
//   OUT/replay_script/      the transcripts, and each followed by "#client" and a client's lines
//   OUT/job_state_machine/  the event fixtures
#include <qmp/json.hpp>
#include <qmp/transcript_reader.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<fs::path> files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  return out;
}

// The "in" messages of an event fixture, one per line.
std::string event_fixture_messages(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    auto d = qmp::json::parse_object(line);
    if (const qmp::json::Value* m = d ? qmp::json::find(*d, "in") : nullptr) out += qmp::json::to_string(*m) + "\r\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seeds FIXTURES_DIR OUT_DIR\n");
    return 2;
  }
  const fs::path fixtures = argv[1], out = argv[2];
  for (const char* d : {"codec", "transcript", "libvirt_import", "replay_script", "job_state_machine"})
    fs::create_directories(out / d);

  for (const auto& p : files(fixtures / "transcripts", ".qmpt")) {
    const std::string text = read(p), name = p.stem().string();
    write(out / "transcript" / name, text);
    write(out / "replay_script" / name, text);
    qmp::error_code ec;
    qmp::Diagnostics diag;
    auto t = qmp::parse_transcript(text, ec, diag);
    if (!t) {
      std::fprintf(stderr, "make_seeds: %s: %s\n", p.c_str(), diag.what.c_str());
      return 1;
    }
    std::string stream = "l", client;
    for (std::size_t i = 0; i < t->entries.size(); ++i) {
      const std::string& json = t->entries[i].json;
      stream += json + "\r\n";
      write(out / "codec" / (name + "-" + std::to_string(i)), "l" + json);
      if (t->entries[i].direction == qmp::Direction::to_qemu) client += json + "\n";
    }
    write(out / "codec" / name, stream);
    write(out / "replay_script" / (name + "-client"), text + "#client\n" + client + "{\"execute\":\"stop\"}\nnot json\n");
  }
  for (const auto& p : files(fixtures / "events", ".jsonl")) {
    const std::string text = read(p);
    write(out / "job_state_machine" / p.stem(), text);
    write(out / "codec" / ("events-" + p.stem().string()), "l" + event_fixture_messages(text));
  }
  for (const auto& p : files(fixtures / "libvirt", ".log")) write(out / "libvirt_import" / p.stem(), read(p));
  return 0;
}
