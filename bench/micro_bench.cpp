// Per-message costs of qmpc's sans-I/O cores (Google Benchmark): the line framer, decode_line, the event
// dispatcher, and the mirror job state machine per event. Items/s is messages (or events) per second.
#include "support/event_stream.hpp"

#include "mirror/job_state_machine.hpp"
#include "qmp/codec.hpp"
#include "qmp/event_name_scan.hpp"
#include "qmp/event_dispatcher.hpp"
#include "qmp/line_framer.hpp"

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <cstring>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kBlockEvents = 1000;

const std::string& event_block() {
  static const std::string block = qmpc_bench::make_event_block(kBlockEvents);
  return block;
}

std::vector<std::string_view> lines_of(const std::string& block) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < block.size()) {
    const auto nl = block.find('\n', pos);
    out.push_back(std::string_view(block).substr(pos, nl - 1 - pos));  // without "\r\n"
    pos = nl + 1;
  }
  return out;
}

qmp::Message decode(std::string_view line, std::uint64_t seq = 1) {
  auto d = qmp::decode_line(line, seq, qmp::Clock::now());
  if (!d.message) throw std::runtime_error("fixture line does not decode: " + std::string(line));
  return *d.message;
}

// The framer fed 64 KiB reads of the event stream, every line extracted.
void BM_LineFramer(benchmark::State& state) {
  const std::string& block = event_block();
  qmp::LineFramer framer;
  std::size_t lines = 0;
  for (auto _ : state) {
    for (std::size_t off = 0; off < block.size(); off += 65536) {
      framer.feed(std::string_view(block).substr(off, 65536));
      std::string_view line;
      while (framer.next(line) == qmp::LineFramer::Status::line) {
        benchmark::DoNotOptimize(line.data());
        ++lines;
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(lines));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(block.size()));
}
BENCHMARK(BM_LineFramer);

// One event line parsed and classified into a Message.
void BM_DecodeLine(benchmark::State& state) {
  const auto lines = lines_of(event_block());
  std::size_t i = 0;
  const auto now = qmp::Clock::now();
  for (auto _ : state) {
    auto d = qmp::decode_line(lines[i], i, now);
    benchmark::DoNotOptimize(d);
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_DecodeLine);

// What an event nobody subscribed to costs the session: reading its name.
void BM_ScanEventName(benchmark::State& state) {
  const auto lines = lines_of(event_block());
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(qmp::scan_event_name(lines[i]));
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ScanEventName);

// The limit of decode_line: RapidJSON alone parsing the same line in situ, with reused allocator buffers.
void BM_RapidJsonInsitu(benchmark::State& state) {
  const auto lines = lines_of(event_block());
  using Allocator = rapidjson::MemoryPoolAllocator<>;
  std::vector<char> value_buffer(16384), parse_buffer(4096), copy(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    std::memcpy(copy.data(), lines[i].data(), lines[i].size());
    copy[lines[i].size()] = '\0';
    Allocator values(value_buffer.data(), value_buffer.size());
    Allocator parse(parse_buffer.data(), parse_buffer.size());
    rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator> d(&values, parse_buffer.size(), &parse);
    d.ParseInsitu(copy.data());
    benchmark::DoNotOptimize(d.HasMember("event"));
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RapidJsonInsitu);

// One event offered to N subscribers (a name filter and an id predicate each) and taken off the queue.
void BM_EventDispatcher(benchmark::State& state) {
  const auto lines = lines_of(event_block());
  std::vector<qmp::Message> events;
  for (auto l : lines) events.push_back(decode(l));
  qmp::EventDispatcher dispatcher;
  std::vector<std::shared_ptr<qmp::EventQueue>> queues;
  for (std::int64_t s = 0; s < state.range(0); ++s) {
    queues.push_back(std::make_shared<qmp::EventQueue>(
        qmp::EventFilter{{"JOB_STATUS_CHANGE", "BLOCK_JOB_READY", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_ERROR"},
                         qmp::EventFilter::data_equals(s % 2 ? "device" : "id", "job0")},
        qmp::SubscriptionOptions{}));
    dispatcher.add(queues.back());
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dispatcher.dispatch(events[i]));
    for (auto& q : queues) {
      if (!q->empty()) benchmark::DoNotOptimize(q->pop());
    }
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EventDispatcher)->Arg(1)->Arg(4);

// The mirror job state machine through a whole normal job (start, created, running, start reply, ready,
// BLOCK_JOB_READY, complete reply, waiting, pending, COMPLETED, concluded, null): the time is per job, the
// items (events and replies, 11 per job) give the rate per input.
void BM_JobStateMachineWholeJob(benchmark::State& state) {
  const char* ts = R"("timestamp": {"seconds": 1795626326, "microseconds": 1}, )";
  auto jsc = [&](const char* status) {
    return decode(std::string("{") + ts + R"("event": "JOB_STATUS_CHANGE", "data": {"status": ")" + status +
                  R"(", "id": "job0"}})");
  };
  const qmp::Message created = jsc("created"), running = jsc("running"), ready = jsc("ready"),
                     waiting = jsc("waiting"), pending = jsc("pending"), concluded = jsc("concluded"),
                     null = jsc("null");
  const qmp::Message block_ready = decode(
      std::string("{") + ts +
      R"("event": "BLOCK_JOB_READY", "data": {"device": "job0", "len": 1048576, "offset": 1048576, "speed": 0, "type": "mirror"}})");
  const qmp::Message completed = decode(
      std::string("{") + ts +
      R"("event": "BLOCK_JOB_COMPLETED", "data": {"device": "job0", "len": 1048576, "offset": 1048576, "speed": 0, "type": "mirror"}})");
  const auto [ok_ec, ok] = qmp::reply_from_message(decode(R"({"return": {}, "id": 1})"));
  mirror::JobConfig config;
  config.start_arguments = R"({"job-id":"job0","device":"src","target":"dst","sync":"full"})";
  std::size_t items = 0;
  for (auto _ : state) {
    mirror::JobStateMachine sm(config);
    benchmark::DoNotOptimize(sm.start());
    benchmark::DoNotOptimize(sm.on_event(created));
    benchmark::DoNotOptimize(sm.on_event(running));
    benchmark::DoNotOptimize(sm.on_reply(mirror::Command::start, ok_ec, ok));
    benchmark::DoNotOptimize(sm.on_event(ready));
    benchmark::DoNotOptimize(sm.on_event(block_ready));
    benchmark::DoNotOptimize(sm.on_reply(mirror::Command::complete, ok_ec, ok));
    benchmark::DoNotOptimize(sm.on_event(waiting));
    benchmark::DoNotOptimize(sm.on_event(pending));
    benchmark::DoNotOptimize(sm.on_event(completed));
    benchmark::DoNotOptimize(sm.on_event(concluded));
    benchmark::DoNotOptimize(sm.on_event(null));
    if (!sm.done() || sm.result()->outcome != mirror::Outcome::pivoted) {
      state.SkipWithError("the job did not end pivoted");
      break;
    }
    items += 11;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
}
BENCHMARK(BM_JobStateMachineWholeJob);

}  // namespace

BENCHMARK_MAIN();
