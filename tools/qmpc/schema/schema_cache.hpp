// The schemas of the QEMUs qmpc has talked to, kept on disk so that a command is checked without asking QEMU for
// its schema every time: one file per QEMU version (the greeting's version and package), holding the "return"
// value of query-qmp-schema as QEMU sent it. No sockets.
//
//   $XDG_CACHE_HOME/qmpc/schema/qemu-7.2.0-1f3a...json      (XDG_CACHE_HOME unset or relative: ~/.cache)
//
// The two folders below the cache home are created 0700 and files 0600. Below the cache home nothing is followed:
// a symbolic link in place of a folder or a file is refused (a load finds nothing, a store fails), as is a folder
// or file of another user. A file is replaced atomically (written under a temporary name, then renamed), so a
// reader sees the old text or the new one. A file that cannot be read is as good as none; whether its text is a
// schema is the caller's to judge.
#pragma once

#include "qmp/greeting.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace qmpc {

// The cache home for the given values of XDG_CACHE_HOME and HOME (either may be null): XDG_CACHE_HOME when it is
// an absolute path, else HOME/.cache, "" when neither gives an absolute path.
std::string cache_home(const char* xdg_cache_home, const char* home);
// The same from the environment.
std::string cache_home_from_environment();

// The file name for the QEMU that sent `greeting`: "qemu-MAJOR.MINOR.MICRO-HASH.json", HASH (16 hex digits) of
// the version and the package string, so that two builds of one version with different packages do not share
// a file.
std::string schema_cache_file_name(const qmp::Greeting& greeting);

class SchemaCache {
 public:
  // The files are in `home`/qmpc/schema (`home`: cache_home()); "" stands for no cache (loads find nothing, stores
  // fail).
  explicit SchemaCache(std::string home) : home_(std::move(home)) {}
  // `home`/qmpc/schema.
  std::string dir() const;

  // The text stored for the QEMU that sent `greeting`, nullopt when there is none or it cannot be read (see above;
  // files over 64 MiB are not read).
  std::optional<std::string> load(const qmp::Greeting& greeting) const;
  // Stores `text` for that QEMU, creating the folders; false with `error` (when given) saying why.
  bool store(const qmp::Greeting& greeting, std::string_view text, std::string* error = nullptr) const;

 private:
  std::string home_;
};

}  // namespace qmpc
