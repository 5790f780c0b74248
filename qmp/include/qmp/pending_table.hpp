// The table of commands in flight, keyed by the numeric id qmpc puts in each command. No I/O.
//
// Each command moves queued -> written -> done. A command cancelled (or timed out) while still queued is removed
// and never written. One cancelled after it was written is kept as *abandoned*: its reply, when it comes, is
// recognised and dropped instead of being taken for another command's. A reply whose id is not in the table is
// unknown (logged and dropped by the session).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qmp {

enum class CommandState : std::uint8_t { queued, written, abandoned };

template <typename Payload>
class PendingTable {
 public:
  // Allocates the next id (1, 2, 3, ...: short on the wire) for a queued command carrying `payload`.
  std::uint64_t add(Payload payload) {
    const std::uint64_t id = next_id_++;
    entries_.emplace(id, Entry{CommandState::queued, std::move(payload)});
    return id;
  }

  void mark_written(std::uint64_t id) {
    if (auto it = entries_.find(id); it != entries_.end() && it->second.state == CommandState::queued)
      it->second.state = CommandState::written;
  }

  std::optional<CommandState> state(std::uint64_t id) const {
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second.state;
  }

  // The caller gave up on `id` (cancel or deadline). Returns its payload, so the caller can complete it, unless
  // it is no longer live. A queued entry is erased (the writer must skip it); a written one stays, abandoned.
  std::optional<Payload> abandon(std::uint64_t id) {
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.state == CommandState::abandoned) return std::nullopt;
    Payload p = std::move(it->second.payload);
    if (it->second.state == CommandState::queued) {
      entries_.erase(it);
    } else {
      it->second.state = CommandState::abandoned;
      ++abandoned_;
    }
    return p;
  }

  enum class Match { deliver, abandoned, unknown };

  // A reply with `id` arrived. `deliver`: `out` holds the payload to complete. `abandoned`: its caller left; drop
  // the reply. `unknown`: no such command (or a reply to one never written); drop and log.
  Match on_reply(std::uint64_t id, std::optional<Payload>& out) {
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.state == CommandState::queued) return Match::unknown;
    const bool was_abandoned = it->second.state == CommandState::abandoned;
    if (!was_abandoned) out.emplace(std::move(it->second.payload));
    entries_.erase(it);
    if (was_abandoned) {
      --abandoned_;
      return Match::abandoned;
    }
    return Match::deliver;
  }

  // The ids of every queued or written (not abandoned) entry, oldest first.
  std::vector<std::uint64_t> live_ids() const {
    std::vector<std::uint64_t> out;
    for (const auto& [id, e] : entries_)
      if (e.state != CommandState::abandoned) out.push_back(id);
    std::sort(out.begin(), out.end());
    return out;
  }

  // Removes every live entry (the connection ended) and returns their payloads, oldest first.
  std::vector<std::pair<std::uint64_t, Payload>> take_all() {
    std::vector<std::pair<std::uint64_t, Payload>> out;
    for (auto& [id, e] : entries_)
      if (e.state != CommandState::abandoned) out.emplace_back(id, std::move(e.payload));
    entries_.clear();
    abandoned_ = 0;
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t live() const noexcept { return entries_.size() - abandoned_; }
  std::size_t abandoned() const noexcept { return abandoned_; }

 private:
  struct Entry {
    CommandState state;
    Payload payload;
  };
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 1;
  std::size_t abandoned_ = 0;
};

}  // namespace qmp
