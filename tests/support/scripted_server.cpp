#include "support/scripted_server.hpp"

#include "qmp/codec.hpp"
#include "qmp/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <optional>
#include <regex>

namespace qmpc_test {

namespace asio = boost::asio;
using asio::local::stream_protocol;

struct Step {
  enum class Kind { send, event, expect, pause, ignore_forever, close, reset } kind;
  std::string text;     // send: bytes; expect: reply template
  bool substitute = false;  // send: replace $ID
  std::string command;  // expect: the command name; event: the event name
  ScriptedServer::CommandCheck check;
  std::chrono::milliseconds delay{0};
};

struct ScriptedServer::State {
  explicit State(executor_type ex) : socket(ex), timer(ex), done_signal(ex) {
    done_signal.expires_at(asio::steady_timer::time_point::max());
  }

  stream_protocol::socket socket;
  std::optional<stream_protocol::acceptor> acceptor;
  std::string path;
  int client_fd = -1;
  asio::steady_timer timer;
  asio::steady_timer done_signal;  // cancelled when the script ends

  std::vector<Step> steps;
  std::size_t next_step = 0;
  bool started = false, finished = false, done = false, destroyed = false;
  std::vector<std::string> received;
  std::optional<std::string> last_id;  // JSON text of the last expected command's id

  void fail(const std::string& what) {
    if (!destroyed) ADD_FAILURE() << "scripted QMP server, step " << next_step + 1 << "/" << steps.size() << ": "
                                  << what;
  }
  void end() {
    done = true;
    done_signal.cancel();
  }
};

namespace {

using State = ScriptedServer::State;

std::string substitute_id(std::string text, const std::optional<std::string>& id) {
  if (text.find("$ID") == std::string::npos) return text;
  if (!id) {
    static const std::regex member(R"(\s*,\s*"id"\s*:\s*\$ID)");
    text = std::regex_replace(text, member, "");
  }
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = text.find("$ID", pos)) != std::string::npos; pos = hit + 3) {
    out.append(text, pos, hit - pos);
    out += id ? *id : "null";
  }
  out.append(text, pos);
  return out;
}

std::string event_line(const std::string& name, const std::string& data) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string line = R"({"timestamp": {"seconds": )" + std::to_string(us / 1000000) +
                     R"(, "microseconds": )" + std::to_string(us % 1000000) + R"(}, "event": )";
  qmp::json::append_quoted(line, name);
  if (!data.empty()) line += R"(, "data": )" + data;
  return line + "}";
}

// Reads one line from the client, consuming it up to (not including) its '\n' (see the header). Nullopt on EOF or
// error.
asio::awaitable<std::optional<std::string>> read_line(State& s) {
  std::string line;
  std::array<char, 16384> buf;
  for (;;) {
    auto [wec] = co_await s.socket.async_wait(stream_protocol::socket::wait_read, asio::as_tuple(asio::use_awaitable));
    if (wec) co_return std::nullopt;
    boost::system::error_code ec;
    std::size_t n = s.socket.receive(asio::buffer(buf), stream_protocol::socket::message_peek, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    if (ec || n == 0) co_return std::nullopt;
    const char* nl = static_cast<const char*>(std::memchr(buf.data(), '\n', n));
    if (!nl) {
      s.socket.receive(asio::buffer(buf.data(), n), 0, ec);
      line.append(buf.data(), n);
      continue;
    }
    const auto k = static_cast<std::size_t>(nl - buf.data());
    if (k == 0 && line.empty()) {  // the newline left over from the previous line, or an empty line
      s.socket.receive(asio::buffer(buf.data(), 1), 0, ec);
      continue;
    }
    if (k > 0) s.socket.receive(asio::buffer(buf.data(), k), 0, ec);
    line.append(buf.data(), k);
    if (line.back() == '\r') line.pop_back();
    if (!line.empty()) co_return line;
  }
}

// Reads whatever is readable now, without waiting.
void drain(State& s) {
  std::array<char, 16384> buf;
  boost::system::error_code ec;
  while (s.socket.receive(asio::buffer(buf), 0, ec) > 0) {
  }
}

asio::awaitable<bool> write_all(State& s, const std::string& bytes) {
  auto [ec, n] = co_await asio::async_write(s.socket, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
  if (ec) s.fail("cannot send " + qmp::excerpt(bytes, 0, 60) + ": " + ec.message());
  co_return !ec;
}

// One expected command. False on divergence.
asio::awaitable<bool> run_expect(State& s, const Step& step) {
  auto line = co_await read_line(s);
  if (!line) {
    s.fail("expected command '" + step.command + "', but the client closed the connection");
    co_return false;
  }
  s.received.push_back(*line);
  auto decoded = qmp::decode_line(*line, 0, qmp::Clock::now(), true);
  if (!decoded.message || decoded.message->kind() != qmp::MessageKind::command) {
    s.fail("expected command '" + step.command + "', got a line that is not a command: " + *line);
    co_return false;
  }
  const qmp::Message& m = *decoded.message;
  if (m.command_name() != step.command) {
    s.fail("expected command '" + step.command + "', got: " + *line);
    co_return false;
  }
  s.last_id = m.id() ? std::optional(qmp::json::to_string(*m.id())) : std::nullopt;
  if (step.check) step.check(m);
  if (step.text.empty()) co_return true;
  const std::string reply = substitute_id(step.text, s.last_id) + "\r\n";
  const bool written = co_await write_all(s, reply);
  co_return written;
}

asio::awaitable<void> run_script(std::shared_ptr<State> s) {
  if (s->acceptor) {
    auto [ec] = co_await s->acceptor->async_accept(s->socket, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      s->fail("accept on " + s->path + ": " + ec.message());
      s->end();
      co_return;
    }
  }
  s->socket.non_blocking(true);

  bool ok = true, terminal = false;
  for (; ok && s->next_step < s->steps.size() && !s->destroyed; ++s->next_step) {
    const Step& step = s->steps[s->next_step];
    switch (step.kind) {
      case Step::Kind::send: {
        // (Named locals, not temporaries, around co_await: GCC 12 mishandles temporaries there.)
        const std::string bytes = step.substitute ? substitute_id(step.text, s->last_id) : step.text;
        ok = co_await write_all(*s, bytes);
        break;
      }
      case Step::Kind::event: {
        const std::string bytes = event_line(step.command, step.text) + "\r\n";
        ok = co_await write_all(*s, bytes);
        break;
      }
      case Step::Kind::expect:
        ok = co_await run_expect(*s, step);
        break;
      case Step::Kind::pause: {
        s->timer.expires_after(step.delay);
        auto [ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        ok = !ec;
        break;
      }
      case Step::Kind::ignore_forever:
        terminal = true;
        while (auto line = co_await read_line(*s)) s->received.push_back(*line);
        break;
      case Step::Kind::close: {
        terminal = true;
        drain(*s);
        boost::system::error_code ignored;
        s->socket.shutdown(stream_protocol::socket::shutdown_both, ignored);
        s->socket.close(ignored);
        break;
      }
      case Step::Kind::reset: {
        terminal = true;
        boost::system::error_code ignored;
        s->socket.close(ignored);
        break;
      }
    }
  }
  if (s->destroyed) co_return;
  if (!ok) {
    drain(*s);  // hang up with a clean EOF
    boost::system::error_code ignored;
    s->socket.close(ignored);
    s->end();
    co_return;
  }
  s->finished = true;
  s->end();
  if (terminal) co_return;
  // The script is over but the connection is not: anything the client still sends was not foreseen.
  while (auto line = co_await read_line(*s)) {
    s->received.push_back(*line);
    s->fail("unexpected line after the end of the script: " + *line);
  }
}

}  // namespace

ScriptedServer::ScriptedServer(executor_type ex) : state_(std::make_shared<State>(ex)) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    ADD_FAILURE() << "socketpair: " << std::strerror(errno);
    return;
  }
  state_->socket.assign(stream_protocol(), sv[0]);
  state_->client_fd = sv[1];
}

ScriptedServer::ScriptedServer(executor_type ex, std::string unix_path) : state_(std::make_shared<State>(ex)) {
  state_->path = std::move(unix_path);
  ::unlink(state_->path.c_str());
  state_->acceptor.emplace(ex, stream_protocol::endpoint(state_->path));
}

ScriptedServer::~ScriptedServer() {
  auto& s = *state_;
  s.destroyed = true;
  boost::system::error_code ignored;
  s.socket.close(ignored);
  if (s.acceptor) {
    s.acceptor->close(ignored);
    ::unlink(s.path.c_str());
  }
  if (s.client_fd >= 0) ::close(s.client_fd);
  s.timer.cancel();
  s.end();
}

int ScriptedServer::release_client_fd() { return std::exchange(state_->client_fd, -1); }

ScriptedServer& ScriptedServer::send_raw(std::string bytes) {
  state_->steps.push_back({Step::Kind::send, std::move(bytes), false, {}, {}, {}});
  return *this;
}
ScriptedServer& ScriptedServer::send_line(std::string json) {
  state_->steps.push_back({Step::Kind::send, std::move(json) + "\r\n", true, {}, {}, {}});
  return *this;
}
ScriptedServer& ScriptedServer::send_greeting() { return send_raw(std::string(qemu_7_2_greeting) + "\r\n"); }
ScriptedServer& ScriptedServer::send_event(std::string name, std::string data_json) {
  state_->steps.push_back({Step::Kind::event, std::move(data_json), false, std::move(name), {}, {}});
  return *this;
}
ScriptedServer& ScriptedServer::expect(std::string command, std::string reply, CommandCheck check) {
  state_->steps.push_back({Step::Kind::expect, std::move(reply), true, std::move(command), std::move(check), {}});
  return *this;
}
ScriptedServer& ScriptedServer::handshake() { return send_greeting().expect("qmp_capabilities"); }
ScriptedServer& ScriptedServer::pause(std::chrono::milliseconds d) {
  state_->steps.push_back({Step::Kind::pause, {}, false, {}, {}, d});
  return *this;
}
ScriptedServer& ScriptedServer::ignore_forever() {
  state_->steps.push_back({Step::Kind::ignore_forever, {}, false, {}, {}, {}});
  return *this;
}
ScriptedServer& ScriptedServer::close() {
  state_->steps.push_back({Step::Kind::close, {}, false, {}, {}, {}});
  return *this;
}
ScriptedServer& ScriptedServer::reset() {
  state_->steps.push_back({Step::Kind::reset, {}, false, {}, {}, {}});
  return *this;
}

void ScriptedServer::start() {
  if (state_->started) {
    ADD_FAILURE() << "ScriptedServer::start() called twice";
    return;
  }
  state_->started = true;
  asio::co_spawn(state_->socket.get_executor(), run_script(state_), asio::detached);
}

bool ScriptedServer::finished() const noexcept { return state_->finished; }
bool ScriptedServer::done() const noexcept { return state_->done; }
const std::vector<std::string>& ScriptedServer::received() const noexcept { return state_->received; }

asio::awaitable<void> ScriptedServer::wait_done() {
  auto s = state_;
  while (!s->done) co_await s->done_signal.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace qmpc_test
