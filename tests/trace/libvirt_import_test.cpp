#include "trace/libvirt_import.hpp"

#include "qmp/transcript_error.hpp"
#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

using namespace std::chrono_literals;
using trace::LibvirtLineKind;

std::vector<trace::ImportedMonitor> import(const std::string& name, const std::string& monitor = "") {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  trace::LibvirtImportOptions o;
  o.monitor = monitor;
  auto r = trace::import_libvirt_log_file(trace_test::fixture("libvirt/" + name), o, ec, diag);
  EXPECT_TRUE(r) << diag.what;
  return r ? std::move(*r) : std::vector<trace::ImportedMonitor>{};
}

std::map<qmp::MessageKind, int> kinds(const qmp::Transcript& t) {
  std::map<qmp::MessageKind, int> n;
  for (const auto& e : t.entries) {
    auto m = e.to_message();
    EXPECT_TRUE(m) << e.json;
    if (m) ++n[m->kind()];
  }
  return n;
}

std::string name_of(const qmp::TranscriptEntry& e) {
  auto m = e.to_message();
  if (!m) return "?";
  switch (m->kind()) {
    case qmp::MessageKind::command: return std::string(m->command_name());
    case qmp::MessageKind::event: {
      const auto* d = m->data();
      const auto status = d ? qmp::json::get_string(*d, "status") : std::nullopt;
      return std::string(m->event_name()) + (status ? "(" + std::string(*status) + ")" : "");
    }
    case qmp::MessageKind::greeting: return "greeting";
    default: return std::string(qmp::to_string(m->kind())) + ":" + (m->id() ? qmp::json::to_string(*m->id()) : "");
  }
}

std::chrono::microseconds since_epoch(qmp::WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
}

TEST(LibvirtImport, SampleLogGivesOneTranscriptPerMonitor) {
  const auto monitors = import("libvirt-9.0-blockcopy-debug.log");
  ASSERT_EQ(monitors.size(), 2u);
  EXPECT_EQ(monitors[0].monitor, "0x7fa1f0006740");
  EXPECT_EQ(monitors[1].monitor, "0x7fa1f0006b90");
  for (const auto& m : monitors) {
    SCOPED_TRACE(m.monitor);
    // Every message is logged by four kinds of entry; each is taken once.
    EXPECT_EQ(m.count(LibvirtLineKind::send_msg), 17u);
    EXPECT_EQ(m.count(LibvirtLineKind::io_write), 17u);
    EXPECT_EQ(m.count(LibvirtLineKind::process_line), 34u);
    EXPECT_EQ(m.count(LibvirtLineKind::recv_reply), 17u);
    EXPECT_EQ(m.count(LibvirtLineKind::recv_event), 17u);
    EXPECT_EQ(m.count(LibvirtLineKind::io_process), 0u);
    EXPECT_EQ(m.to_qemu_source, LibvirtLineKind::io_write);
    EXPECT_EQ(m.from_qemu_source, LibvirtLineKind::recv_reply);
    EXPECT_TRUE(m.warnings.empty());

    const qmp::Transcript& t = m.transcript;
    EXPECT_EQ(t.header.source, "libvirt-log");
    EXPECT_EQ(t.header.monitor, m.monitor);
    EXPECT_EQ(t.header.origin, "libvirt-9.0-blockcopy-debug.log");
    EXPECT_TRUE(t.header.qemu_version.empty());  // the log starts after the greeting
    ASSERT_EQ(t.entries.size(), 51u);
    const auto n = kinds(t);
    EXPECT_EQ(n.at(qmp::MessageKind::command), 17);
    EXPECT_EQ(n.at(qmp::MessageKind::reply), 17);
    EXPECT_EQ(n.at(qmp::MessageKind::event), 17);
    EXPECT_EQ(n.count(qmp::MessageKind::error_reply), 0u);
    for (std::size_t i = 0; i < t.entries.size(); ++i) EXPECT_EQ(t.entries[i].seq, i + 1);

    // First: query-named-block-nodes (IO_WRITE entry); last: the reply to libvirt-427.
    EXPECT_EQ(t.entries.front().direction, qmp::Direction::to_qemu);
    EXPECT_EQ(t.entries.front().json,
              R"({"execute":"query-named-block-nodes","arguments":{"flat":true},"id":"libvirt-411"})");
    EXPECT_EQ(t.entries.front().time, 0us);
    EXPECT_EQ(t.entries.back().direction, qmp::Direction::from_qemu);
    EXPECT_EQ(t.entries.back().json, R"({"return": {}, "id": "libvirt-427"})");
  }
  // 17:05:26.222 .. 17:05:26.745 and 17:05:30.009 .. 17:05:30.533 (UTC)
  EXPECT_EQ(since_epoch(*monitors[0].transcript.header.started), 1795626326222000us);
  EXPECT_EQ(monitors[0].transcript.entries.back().time, 523000us);
  EXPECT_EQ(since_epoch(*monitors[1].transcript.header.started), 1795626330009000us);
  EXPECT_EQ(monitors[1].transcript.entries.back().time, 524000us);
}

TEST(LibvirtImport, SampleLogMessagesComeInWireOrder) {
  const auto monitors = import("libvirt-9.0-blockcopy-debug.log");
  ASSERT_EQ(monitors.size(), 2u);
  const auto& e = monitors[0].transcript.entries;
  std::vector<std::string> names;
  for (const auto& x : e) names.push_back(name_of(x));
  const std::vector<std::string> expected_head = {
      "query-named-block-nodes",
      R"(reply:"libvirt-411")",
      "blockdev-add",
      R"(reply:"libvirt-412")",
      "blockdev-create",
      "JOB_STATUS_CHANGE(created)",
      "JOB_STATUS_CHANGE(running)",
      R"(reply:"libvirt-413")",
  };
  ASSERT_GE(names.size(), expected_head.size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 8), expected_head);
  // The pivot: poll, transaction (standby/ready blip), job-complete, then the job's end.
  const auto at = std::find(names.begin(), names.end(), "job-complete") - names.begin();
  ASSERT_LT(at, static_cast<long>(names.size()));
  const std::vector<std::string> around = {
      "transaction",        "JOB_STATUS_CHANGE(standby)",     "JOB_STATUS_CHANGE(ready)",
      R"(reply:"libvirt-420")", "job-complete",                   R"(reply:"libvirt-421")",
      "JOB_STATUS_CHANGE(waiting)", "JOB_STATUS_CHANGE(pending)", "BLOCK_JOB_COMPLETED",
      "JOB_STATUS_CHANGE(concluded)"};
  EXPECT_EQ(std::vector<std::string>(names.begin() + at - 4, names.begin() + at + 6), around);
}

TEST(LibvirtImport, SelectsOneMonitor) {
  const auto only = import("libvirt-9.0-blockcopy-debug.log", "0x7fa1f0006b90");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].monitor, "0x7fa1f0006b90");
  EXPECT_EQ(only[0].transcript.entries.size(), 51u);

  qmp::error_code ec;
  qmp::Diagnostics diag;
  trace::LibvirtImportOptions o;
  o.monitor = "0xdead";
  EXPECT_FALSE(trace::import_libvirt_log_file(trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log"), o, ec,
                                              diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_log));
  EXPECT_NE(diag.what.find("0x7fa1f0006740, 0x7fa1f0006b90"), std::string::npos) << diag.what;
}

TEST(LibvirtImport, LogWithoutTrafficIsAnError) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(trace::import_libvirt_log("2026-11-25 17:05:26.222+0000: 9808: debug : virFoo:1 : nothing\n", {}, ec,
                                         diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_log));
  EXPECT_FALSE(trace::import_libvirt_log_file("/nonexistent.log", {}, ec, diag));
}

TEST(LibvirtImport, OldFormatReadsAreReassembledOnce) {
  const auto monitors = import("old-io-process-split.log");
  ASSERT_EQ(monitors.size(), 1u);
  const auto& m = monitors[0];
  EXPECT_EQ(m.monitor, "0x7f1c00001a40");
  EXPECT_EQ(m.to_qemu_source, LibvirtLineKind::io_write);
  EXPECT_EQ(m.from_qemu_source, LibvirtLineKind::io_process);
  EXPECT_EQ(m.count(LibvirtLineKind::io_process), 9u);
  EXPECT_EQ(m.count(LibvirtLineKind::io_write), 6u);  // one command written in two parts
  EXPECT_TRUE(m.warnings.empty()) << m.warnings.front();
  const qmp::Transcript& t = m.transcript;
  EXPECT_EQ(t.header.qemu_version, "2.12.0");
  std::vector<std::string> names;
  for (const auto& e : t.entries) names.push_back(name_of(e));
  const std::vector<std::string> expected = {
      "greeting",
      "qmp_capabilities",
      R"(reply:"libvirt-1")",
      "drive-mirror",
      "JOB_STATUS_CHANGE(created)",
      "JOB_STATUS_CHANGE(running)",
      R"(reply:"libvirt-2")",
      "query-block-jobs",
      R"(reply:"libvirt-3")",
      "JOB_STATUS_CHANGE(ready)",
      "BLOCK_JOB_READY",
      "query-block-jobs",
      R"(reply:"libvirt-4")",
      "block-job-complete",
      R"(reply:"libvirt-5")",
      "JOB_STATUS_CHANGE(waiting)",
      "JOB_STATUS_CHANGE(pending)",
      "BLOCK_JOB_COMPLETED",
      "JOB_STATUS_CHANGE(concluded)",
      "JOB_STATUS_CHANGE(null)",
  };
  EXPECT_EQ(names, expected);
  // The short write is joined to its rest; the message takes the time of the entry that completed it.
  EXPECT_EQ(t.entries[3].json,
            R"({"execute":"drive-mirror","arguments":{"device":"drive-virtio-disk0","target":)"
            R"("/var/lib/libvirt/images/copy.qcow2","sync":"full","format":"qcow2","mode":"existing"},"id":"libvirt-2"})");
  EXPECT_EQ(t.entries[3].time, 101000us);  // 10:00:00.201 - 10:00:00.100
  // The reply split over two reads (the second repeating the first part) is taken once, whole.
  auto r3 = t.entries[8].to_message();
  ASSERT_TRUE(r3);
  EXPECT_EQ(qmp::json::get_bool(r3->result()->GetArray()[0], "ready"), false);
  EXPECT_EQ(t.entries[8].time, 601000us);
  // A read that ended in the middle of an event, continued by the next one.
  EXPECT_EQ(t.entries[17].time, 1103000us);
  EXPECT_EQ(since_epoch(*t.header.started), 1551434400100000us);
}

TEST(LibvirtImport, EscapedTerminatorsAndContinuedBuffers) {
  const auto monitors = import("old-io-process-escaped.log");
  ASSERT_EQ(monitors.size(), 1u);
  const qmp::Transcript& t = monitors[0].transcript;
  EXPECT_TRUE(monitors[0].warnings.empty()) << monitors[0].warnings.front();
  std::vector<std::string> names;
  for (const auto& e : t.entries) names.push_back(name_of(e));
  const std::vector<std::string> expected = {"greeting",          "qmp_capabilities", R"(reply:"libvirt-1")",
                                             "human-monitor-command", R"(reply:"libvirt-2")", "RESUME"};
  EXPECT_EQ(names, expected);
  auto hmp = t.entries[4].to_message();
  ASSERT_TRUE(hmp);
  EXPECT_EQ(qmp::json::view(*hmp->result()),
            "drive-virtio-disk0: json:{} (qcow2)\r\n    Attached to: /machine/peripheral/virtio-disk0\r\n");
}

TEST(LibvirtImport, TwoMonitorsOnOneThreadAreKeptApartAndSecretsRedacted) {
  const auto monitors = import("two-monitors.log");
  ASSERT_EQ(monitors.size(), 2u);
  EXPECT_EQ(monitors[0].monitor, "0x7f0a00001110");
  EXPECT_EQ(monitors[1].monitor, "0x7f0a00002220");
  std::vector<std::string> a, b;
  for (const auto& e : monitors[0].transcript.entries) a.push_back(name_of(e));
  for (const auto& e : monitors[1].transcript.entries) b.push_back(name_of(e));
  EXPECT_EQ(a, (std::vector<std::string>{"greeting", "qmp_capabilities", R"(reply:"libvirt-1")", "query-block-jobs",
                                         R"(reply:"libvirt-2")", "STOP"}));
  EXPECT_EQ(b, (std::vector<std::string>{"greeting", "qmp_capabilities", R"(reply:"libvirt-1")", "object-add",
                                         R"(reply:"libvirt-2")"}));
  // Monitor A's reply was split around one of B's reads.
  EXPECT_EQ(monitors[0].transcript.entries[2].time, 104000us);
  for (const auto& m : monitors) {
    for (const auto& e : m.transcript.entries) {
      EXPECT_EQ(e.json.find("c2VjcmV0LXBhc3N3b3Jk"), std::string::npos) << e.json;
    }
  }
  EXPECT_NE(monitors[1].transcript.entries[3].json.find("<redacted>"), std::string::npos);
}

TEST(LibvirtImport, AMonitorAddressUsedAgainGivesOneTranscriptPerConnection) {
  const auto parts = import("monitor-reused.log");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].monitor, "0x7f5500003330");
  EXPECT_EQ(parts[1].monitor, "0x7f5500003330");
  EXPECT_EQ(parts[0].connection, 1u);
  EXPECT_EQ(parts[1].connection, 2u);
  std::vector<std::string> first, second;
  for (const auto& e : parts[0].transcript.entries) first.push_back(name_of(e));
  for (const auto& e : parts[1].transcript.entries) second.push_back(name_of(e));
  // The first connection died in the middle of the reply to query-status.
  EXPECT_EQ(first, (std::vector<std::string>{"greeting", "qmp_capabilities", R"(reply:"libvirt-1")", "query-status"}));
  EXPECT_EQ(second, (std::vector<std::string>{"greeting", "qmp_capabilities", R"(reply:"libvirt-1")"}));
  EXPECT_EQ(parts[0].transcript.header.qemu_version, "2.12.0");
  EXPECT_EQ(parts[1].transcript.header.qemu_version, "7.2.22");
  EXPECT_EQ(since_epoch(*parts[1].transcript.header.started), 1551434405000000us);
  EXPECT_EQ(parts[1].transcript.entries.front().seq, 1u);
  EXPECT_EQ(parts[1].transcript.entries.back().time, 2000us);
  ASSERT_EQ(parts[1].warnings.size(), 1u);
  EXPECT_NE(parts[1].warnings[0].find("cut short by a new connection"), std::string::npos) << parts[1].warnings[0];
}

TEST(LibvirtImport, GreetingComesFromTheLineEntryInNewerLogs) {
  const auto monitors = import("libvirt9-greeting.log");
  ASSERT_EQ(monitors.size(), 1u);
  const qmp::Transcript& t = monitors[0].transcript;
  EXPECT_EQ(t.header.qemu_version, "7.2.22");
  std::vector<std::string> names;
  for (const auto& e : t.entries) names.push_back(name_of(e));
  EXPECT_EQ(names, (std::vector<std::string>{"greeting", "qmp_capabilities", R"(reply:"libvirt-1")",
                                             "block-job-complete", R"(error:"libvirt-2")"}));
  EXPECT_EQ(monitors[0].count(LibvirtLineKind::process_line), 3u);
}

std::string send_at(const char* time, const char* command, int id) {
  return std::string(time) + ": 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 msg={\"execute\":\"" +
         command + "\",\"id\":\"libvirt-" + std::to_string(id) + "\"}\r\n fd=-1\n";
}

TEST(LibvirtImport, TimesThatGoBackAreKeptMonotonicWithAWarning) {
  const std::string log = send_at("2026-11-25 17:05:26.222+0000", "qmp_capabilities", 1) +
                          send_at("2026-11-25 17:05:26.227+0000", "query-block-jobs", 2) +
                          send_at("2026-11-25 17:05:26.226+0000", "query-block-jobs", 3) +
                          send_at("2026-11-25 17:05:26.230+0000", "query-block-jobs", 4) +
                          send_at("2026-11-25 17:05:26.200+0000", "query-block-jobs", 5);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto r = trace::import_libvirt_log(log, {}, ec, diag);
  ASSERT_TRUE(r) << diag.what;
  ASSERT_EQ(r->size(), 1u);
  const auto& m = (*r)[0];
  std::vector<std::chrono::microseconds> times;
  for (const auto& e : m.transcript.entries) times.push_back(e.time);
  EXPECT_EQ(times, (std::vector<std::chrono::microseconds>{0us, 5000us, 5000us, 8000us, 8000us}));
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0], "monitor 0x7f00: the log's time goes back 2 time(s), by up to 30.000 ms, first at line 5; "
                           "each such message was given the time of the message before it");
  // What is written reads back.
  auto back = qmp::parse_transcript(qmp::format_transcript(m.transcript), ec, diag);
  ASSERT_TRUE(back) << diag.what;
  EXPECT_EQ(back->entries.size(), 5u);
}

}  // namespace
