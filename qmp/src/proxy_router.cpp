#include "qmp/proxy_router.hpp"

#include <algorithm>
#include <charconv>

namespace qmp {

namespace {

constexpr std::string_view kEol = "\r\n";  // what QEMU ends its lines with; clients get the same

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// An id the router wrote upstream: a plain decimal number.
std::optional<std::uint64_t> router_id(std::string_view text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// `line` with the member `m` taken out (`first`: it is the object's first member, so the ',' after it goes).
std::string without_member(std::string_view line, const json::MemberSpan& m, bool first) {
  std::size_t end = m.value_end;
  if (first) {
    while (end < line.size() && is_space(line[end])) ++end;
    if (end < line.size() && line[end] == ',') ++end;
    while (end < line.size() && is_space(line[end])) ++end;
  }
  std::string out(line.substr(0, m.begin));
  out.append(line.substr(end));
  return out;
}

}  // namespace

ProxyRouter::ProxyRouter(ProxyRouterOptions opts) : opts_(opts), upstream_framer_(opts.max_line) {}

void ProxyRouter::push(Action::Kind kind, ClientId client, std::string reason) {
  actions_.push_back(Action{kind, client, std::move(reason)});
}

std::vector<ProxyRouter::Action> ProxyRouter::take_actions() { return std::exchange(actions_, {}); }

void ProxyRouter::write_upstream(std::string bytes, std::optional<ClientId> client, std::vector<UniqueFd> fds,
                                 std::uint64_t command) {
  if (phase_ == Phase::closed) return;
  if (upstream_out_.empty()) push(Action::Kind::write_upstream);
  // Descriptors start a chunk of their own, so that they go with their command's first byte.
  if (fds.empty() && !upstream_out_.empty()) upstream_out_.back().bytes += bytes;
  else upstream_out_.push_back(UpstreamChunk{std::move(bytes), std::move(fds), command, {}});
  if (opts_.upstream_traffic) upstream_out_.back().clients.push_back(client);
}

ProxyRouter::UpstreamOutput ProxyRouter::take_upstream_output() {
  if (upstream_out_.empty()) return {};
  UpstreamChunk& front = upstream_out_.front();
  if (!front.fds.empty() && fd_reply_awaited_) return {};
  if (!front.fds.empty()) fd_reply_awaited_ = front.fd_command;
  UpstreamOutput out{std::move(front.bytes), std::move(front.fds)};
  if (opts_.upstream_traffic) {
    // Each line of the chunk ends in '\n' (a client's line has none inside).
    std::string_view rest(out.bytes);
    for (const auto& client : front.clients) {
      const auto nl = rest.find('\n');
      trace(Direction::to_qemu, client, rest.substr(0, nl));
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
  }
  upstream_out_.pop_front();
  return out;
}

std::size_t ProxyRouter::fds_held() const noexcept {
  std::size_t n = 0;
  for (const auto& chunk : upstream_out_) n += chunk.fds.size();
  for (const auto& [id, c] : clients_)
    for (const auto& batch : c.fds) n += batch.fds.size();
  return n;
}

void ProxyRouter::fail(std::string reason) {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  upstream_out_.clear();
  push(Action::Kind::close_all, 0, std::move(reason));
}

// ---------------------------------------------------------------------------------------------------------------
// Upstream

void ProxyRouter::upstream_bytes(std::string_view bytes) {
  if (phase_ == Phase::closed) return;
  upstream_framer_.feed(bytes);
  std::string_view line;
  while (phase_ != Phase::closed) {
    const auto st = upstream_framer_.next(line);
    if (st == LineFramer::Status::need_more) break;
    if (st == LineFramer::Status::too_large) {
      fail("QEMU sent a line longer than " + std::to_string(opts_.max_line) + " bytes");
      break;
    }
    upstream_line(line);
  }
}

void ProxyRouter::upstream_closed(std::string_view why) { fail(std::string(why)); }

void ProxyRouter::upstream_greeting(std::string_view line) {
  std::string error;
  auto doc = json::parse_object(line, &error);
  const json::Value* qmp = doc ? json::find(*doc, "QMP") : nullptr;
  if (!qmp || !qmp->IsObject()) {
    fail("the server's first line is no QMP greeting: " + (doc ? std::string(line.substr(0, 80)) : error));
    return;
  }
  const json::Value* version = json::find(*qmp, "version");
  std::string version_text = version ? json::to_string(*version) : "{}";
  if (version) {
    if (const json::Value* q = json::find(*version, "qemu")) {
      qemu_version_ = std::to_string(json::get_int(*q, "major").value_or(0)) + "." +
                      std::to_string(json::get_int(*q, "minor").value_or(0)) + "." +
                      std::to_string(json::get_int(*q, "micro").value_or(0));
    }
  }
  if (const json::Value* caps = json::find(*qmp, "capabilities"); caps && caps->IsArray())
    for (const auto& c : caps->GetArray())
      if (c.IsString() && json::view(c) == "oob") upstream_oob_ = true;
  // Only the capabilities the proxy understands are passed on (today QMP has just "oob").
  client_greeting_ = std::string(R"({"QMP":{"version":)") + version_text + R"(,"capabilities":[)" +
                     (upstream_oob_ ? R"("oob")" : "") + "]}}" + std::string(kEol);
  phase_ = Phase::negotiating;
  write_upstream(upstream_oob_ ? "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]},\"id\":0}\n"
                               : "{\"execute\":\"qmp_capabilities\",\"id\":0}\n",
                 std::nullopt);
}

void ProxyRouter::upstream_line(std::string_view line) {
  if (phase_ == Phase::greeting) {
    trace(Direction::from_qemu, std::nullopt, line);
    upstream_greeting(line);
    return;
  }
  json::ParseFailure why;
  auto layout = json::scan_object(line, &why);
  // Every message but a reply concerns no one client.
  const json::MemberSpan* id = nullptr;
  if (layout && !layout->find("event"))
    for (const auto& m : layout->members)
      if (m.name == "id") id = &m;
  const auto key = id && phase_ == Phase::open
                       ? router_id(line.substr(id->value_begin, id->value_end - id->value_begin))
                       : std::nullopt;
  const auto pending = key ? pending_.find(*key) : pending_.end();
  trace(Direction::from_qemu,
        pending == pending_.end() ? std::nullopt : std::optional<ClientId>(pending->second.client), line);
  if (!layout) {
    fail("QEMU sent malformed JSON (" + why.what + " at offset " + std::to_string(why.offset) + ")");
    return;
  }
  if (phase_ == Phase::negotiating) {
    const auto* caps_id = layout->find("id");
    if (!caps_id || line.substr(caps_id->value_begin, caps_id->value_end - caps_id->value_begin) != "0")
      return;  // an early event
    if (layout->find("error")) {
      fail("QEMU refused qmp_capabilities: " + std::string(line));
      return;
    }
    phase_ = Phase::open;
    push(Action::Kind::open);
    return;
  }
  if (const auto* event = layout->find("event")) {
    ++events_;
    if (event->string_value == "SHUTDOWN") shutdown_seen_ = true;
    // queue() may drop the client it is given (erasing it from clients_): step past it first.
    for (auto it = clients_.begin(); it != clients_.end();) {
      const auto current = it++;
      if (current->second.negotiated) queue(current->first, current->second, line);
    }
    return;
  }
  if (!id) {
    push(Action::Kind::note, 0, "dropped a message from QEMU without an id: " + std::string(line.substr(0, 200)));
    return;
  }
  const bool first = &layout->members.front() == id;
  if (pending == pending_.end()) {
    push(Action::Kind::note, 0, "dropped a reply with an id the proxy never sent: " + std::string(line.substr(0, 200)));
    return;
  }
  const Pending p = std::move(pending->second);
  pending_.erase(pending);
  if (fd_reply_awaited_ == *key) {  // QEMU has taken those descriptors: the next command with some may go
    fd_reply_awaited_.reset();
    if (!upstream_out_.empty()) push(Action::Kind::write_upstream);
  }
  const auto cit = clients_.find(p.client);
  if (cit == clients_.end()) {
    ++dropped_replies_;
    return;
  }
  Client& c = cit->second;
  std::string restored;
  if (p.id_text) {
    restored.assign(line.substr(0, id->value_begin));
    restored += *p.id_text;
    restored.append(line.substr(id->value_end));
  } else {
    restored = without_member(line, *id, first);
  }
  if (c.in_flight > 0) --c.in_flight;
  const ClientId cid = cit->first;
  queue(cid, c, restored);
  if (!has_client(cid)) return;  // its queue overflowed
  if (c.paused && c.in_flight < opts_.client_in_flight) {
    c.paused = false;
    client_lines(cid, c);
    if (has_client(cid) && !c.paused) push(Action::Kind::resume_client, cid);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Clients

ProxyRouter::ClientId ProxyRouter::add_client() {
  const ClientId id = next_client_++;
  if (phase_ != Phase::open) {
    push(Action::Kind::close_client, id, "the proxy is not connected to QEMU");
    return id;
  }
  auto [it, inserted] = clients_.emplace(id, Client(opts_.max_line));
  queue(id, it->second, std::string_view(client_greeting_).substr(0, client_greeting_.size() - kEol.size()));
  return id;
}

bool ProxyRouter::may_read(ClientId client) const noexcept {
  const auto it = clients_.find(client);
  return it != clients_.end() && !it->second.paused && phase_ == Phase::open;
}

std::size_t ProxyRouter::client_backlog(ClientId client) const noexcept {
  const auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.out.size() + it->second.writing;
}

void ProxyRouter::client_closed(ClientId client) { clients_.erase(client); }

std::string ProxyRouter::take_client_output(ClientId client) {
  const auto it = clients_.find(client);
  if (it == clients_.end()) return {};
  it->second.writing += it->second.out.size();
  return std::exchange(it->second.out, {});
}

void ProxyRouter::client_output_written(ClientId client) {
  const auto it = clients_.find(client);
  if (it == clients_.end()) return;
  it->second.writing = 0;
  if (!it->second.out.empty()) push(Action::Kind::write_client, client);
}

void ProxyRouter::drop_client(ClientId id, std::string reason) {
  clients_.erase(id);
  push(Action::Kind::close_client, id, std::move(reason));
}

void ProxyRouter::queue(ClientId id, Client& c, std::string_view line) {
  const std::size_t backlog = c.out.size() + c.writing;
  const std::size_t add = line.size() + kEol.size();
  // A client with nothing queued always gets the next message, however large: only not reading can overflow.
  if (backlog > 0 && backlog + add > opts_.client_queue_bytes) {
    drop_client(id, "client " + std::to_string(id) + " is not reading: " + std::to_string(backlog + add) +
                        " bytes queued for it, more than the limit of " + std::to_string(opts_.client_queue_bytes));
    return;
  }
  // While a write is under way, client_output_written() asks for the next one.
  if (c.out.empty() && c.writing == 0) push(Action::Kind::write_client, id);
  c.out.append(line);
  c.out.append(kEol);
}

void ProxyRouter::client_bytes(ClientId client, std::string_view bytes, std::vector<UniqueFd> fds) {
  const auto it = clients_.find(client);
  if (it == clients_.end()) return;  // the descriptors are closed
  Client& c = it->second;
  if (!fds.empty()) {
    // The kernel ends a read after the message that carried descriptors: they belong to the last line that
    // begins in this read, or to the line under way when none does.
    std::size_t start = 0;
    if (bytes.size() > 1)
      if (const auto nl = bytes.find_last_of('\n', bytes.size() - 2); nl != std::string_view::npos) start = nl + 1;
    c.fds.push_back(FdBatch{c.fed + start, std::move(fds)});
  }
  c.fed += bytes.size();
  c.framer.feed(bytes);
  client_lines(client, c);
}

void ProxyRouter::client_lines(ClientId id, Client& c) {
  std::string_view line;
  while (!c.paused) {
    const auto st = c.framer.next(line);
    if (st == LineFramer::Status::need_more) return;
    if (st == LineFramer::Status::too_large) {
      drop_client(id, "client " + std::to_string(id) + " sent a line longer than " + std::to_string(opts_.max_line) +
                          " bytes");
      return;
    }
    // The descriptors that came with a byte of this line (or of blank lines before it).
    std::vector<UniqueFd> fds;
    while (!c.fds.empty() && c.fds.front().offset < c.framer.consumed()) {
      for (auto& fd : c.fds.front().fds) fds.push_back(std::move(fd));
      c.fds.pop_front();
    }
    client_line(id, c, line, std::move(fds));
    if (!has_client(id)) return;
    if (c.in_flight >= opts_.client_in_flight) c.paused = true;
  }
}

void ProxyRouter::reply_error(ClientId id, Client& c, std::string_view cls, std::string_view desc,
                              const std::optional<std::string>& id_text) {
  std::string out = "{";
  if (id_text) out += "\"id\":" + *id_text + ",";
  out += "\"error\":{\"class\":";
  json::append_quoted(out, cls);
  out += ",\"desc\":";
  json::append_quoted(out, desc);
  out += "}}";
  queue(id, c, out);
}

void ProxyRouter::client_line(ClientId id, Client& c, std::string_view line, std::vector<UniqueFd> fds) {
  json::ParseFailure why;
  auto layout = json::scan_object(line, &why);
  if (!layout) {
    if (why.what == "not an object") reply_error(id, c, "GenericError", "QMP input must be a JSON object", std::nullopt);
    else reply_error(id, c, "GenericError", "JSON parse error, " + why.what, std::nullopt);
    return;
  }
  std::optional<std::string> id_text;
  for (const auto& m : layout->members)
    if (m.name == "id") id_text = std::string(line.substr(m.value_begin, m.value_end - m.value_begin));
  const auto* exec = layout->find("execute");
  const auto* oob = layout->find("exec-oob");
  if (exec && oob) return reply_error(id, c, "GenericError", "QMP input member 'exec-oob' is unexpected", id_text);
  if (!exec && !oob) return reply_error(id, c, "GenericError", "QMP input lacks member 'execute'", id_text);
  const auto* cmd = exec ? exec : oob;
  if (!cmd->string_value)
    return reply_error(id, c, "GenericError",
                       std::string("QMP input member '") + (exec ? "execute" : "exec-oob") + "' must be a string",
                       id_text);
  if (oob && !c.oob) return reply_error(id, c, "GenericError", "QMP input member 'exec-oob' is unexpected", id_text);
  if (*cmd->string_value == "qmp_capabilities") return client_capabilities(id, c, line, id_text);
  if (!c.negotiated)
    return reply_error(id, c, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'", id_text);
  // QEMU would hand these whatever descriptors it holds, maybe another client's.
  if (fds.empty() && (*cmd->string_value == "getfd" || *cmd->string_value == "add-fd"))
    return reply_error(id, c, "GenericError", "No file descriptor supplied via SCM_RIGHTS", id_text);

  const std::uint64_t up = next_upstream_id_++;
  const std::string up_text = std::to_string(up);
  std::string rewritten;
  std::size_t from = 0;
  bool had_id = false;
  for (const auto& m : layout->members) {
    if (m.name != "id") continue;
    had_id = true;
    rewritten.append(line.substr(from, m.value_begin - from));
    rewritten += up_text;
    from = m.value_end;
  }
  if (had_id) {
    rewritten.append(line.substr(from));
  } else {
    const auto close = line.rfind('}');  // the root object's end: only whitespace may follow it
    rewritten.assign(line.substr(0, close));
    rewritten += ",\"id\":" + up_text;
    rewritten.append(line.substr(close));
  }
  rewritten += '\n';
  pending_.emplace(up, Pending{id, std::move(id_text)});
  ++c.in_flight;
  write_upstream(std::move(rewritten), id, std::move(fds), up);
}

void ProxyRouter::client_capabilities(ClientId id, Client& c, std::string_view line,
                                      const std::optional<std::string>& id_text) {
  if (c.negotiated)
    return reply_error(id, c, "CommandNotFound", "Capabilities negotiation is already complete, command ignored",
                       id_text);
  bool want_oob = false;
  auto doc = json::parse_object(line);
  if (const json::Value* args = doc ? json::find(*doc, "arguments") : nullptr) {
    if (!args->IsObject()) return reply_error(id, c, "GenericError", "QMP input member 'arguments' must be an object", id_text);
    for (const auto& m : args->GetObject()) {
      const auto name = json::view(m.name);
      if (name != "enable")
        return reply_error(id, c, "GenericError", "Parameter '" + std::string(name) + "' is unexpected", id_text);
      if (!m.value.IsArray()) return reply_error(id, c, "GenericError", "Invalid parameter type for 'enable', expected: array", id_text);
      for (const auto& cap : m.value.GetArray()) {
        if (!cap.IsString() || json::view(cap) != "oob" || !upstream_oob_)
          return reply_error(id, c, "GenericError",
                             "Parameter 'null' does not accept value '" +
                                 (cap.IsString() ? std::string(json::view(cap)) : json::to_string(cap)) + "'",
                             id_text);
        want_oob = true;
      }
    }
  }
  c.negotiated = true;
  c.oob = want_oob;
  queue(id, c, id_text ? "{\"return\":{},\"id\":" + *id_text + "}" : std::string("{\"return\":{}}"));
}

}  // namespace qmp
