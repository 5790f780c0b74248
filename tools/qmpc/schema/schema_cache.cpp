#include "schema/schema_cache.hpp"

#include "files/private_files.hpp"

#include "qmp/unique_fd.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qmpc {
namespace {

constexpr std::size_t kMaxFileBytes = 64u << 20;
constexpr const char* kFolders[] = {"qmpc", "schema"};

bool absolute(const char* p) { return p && p[0] == '/'; }

// FNV-1a, 64 bits: the same name on every build and machine.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return false;
}

bool fail_errno(std::string* error, const std::string& doing) { return fail(error, doing + ": " + std::strerror(errno)); }

// A folder (or file) that is ours: owned by this user.
bool ours(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && st.st_uid == ::geteuid();
}

// The folder `home`/qmpc/schema opened, no link followed below `home`; created when `create`.
qmp::UniqueFd open_folder(const std::string& home, bool create, std::string* error) {
  if (home.empty()) {
    fail(error, "no cache folder (neither XDG_CACHE_HOME nor HOME is an absolute path)");
    return {};
  }
  if (create && !make_private_folders(home, error)) return {};
  qmp::UniqueFd dir(::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    fail_errno(error, "cannot open '" + home + "'");
    return {};
  }
  std::string path = home;
  for (const char* name : kFolders) {
    path += std::string("/") + name;
    if (create && ::mkdirat(dir.get(), name, 0700) != 0 && errno != EEXIST) {
      fail_errno(error, "cannot create '" + path + "'");
      return {};
    }
    qmp::UniqueFd sub(::openat(dir.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) {
      // ELOOP or ENOTDIR: a symbolic link (or a file) where the folder should be.
      fail_errno(error, "cannot open '" + path + "' (symbolic links are not followed)");
      return {};
    }
    if (!ours(sub.get())) {
      fail(error, "'" + path + "' belongs to another user");
      return {};
    }
    dir = std::move(sub);
  }
  return dir;
}

}  // namespace

std::string cache_home(const char* xdg_cache_home, const char* home) {
  if (absolute(xdg_cache_home)) return xdg_cache_home;
  if (absolute(home)) return std::string(home) + "/.cache";
  return {};
}

std::string cache_home_from_environment() { return cache_home(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME")); }

std::string schema_cache_file_name(const qmp::Greeting& greeting) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(fnv1a(greeting.version() + '\n' + greeting.package)));
  return "qemu-" + greeting.version() + "-" + hash + ".json";
}

std::string SchemaCache::dir() const {
  std::string path = home_;
  for (const char* name : kFolders) path += std::string("/") + name;
  return path;
}

std::optional<std::string> SchemaCache::load(const qmp::Greeting& greeting) const {
  const qmp::UniqueFd dir = open_folder(home_, false, nullptr);
  if (!dir) return std::nullopt;
  const std::string name = schema_cache_file_name(greeting);
  const qmp::UniqueFd fd(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      static_cast<std::size_t>(st.st_size) > kMaxFileBytes)
    return std::nullopt;
  return read_all(fd.get(), kMaxFileBytes);
}

bool SchemaCache::store(const qmp::Greeting& greeting, std::string_view text, std::string* error) const {
  const qmp::UniqueFd folder = open_folder(home_, true, error);
  if (!folder) return false;
  const std::string name = schema_cache_file_name(greeting);
  std::random_device random;
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, ".%08x.tmp", static_cast<unsigned>(random()));
  const std::string temporary = "." + name + suffix;
  const qmp::UniqueFd fd(
      ::openat(folder.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fail_errno(error, "cannot create '" + dir() + "/" + temporary + "'");
  const bool written = qmp::write_all(fd.get(), text);
  // rename() replaces what is at `name` (a link included: the link itself, never its target).
  if (!written || ::renameat(folder.get(), temporary.c_str(), folder.get(), name.c_str()) != 0) {
    const int why = errno;
    ::unlinkat(folder.get(), temporary.c_str(), 0);
    errno = why;
    return fail_errno(error, std::string(written ? "cannot rename into '" : "cannot write '") + dir() + "/" +
                                 name + "'");
  }
  return true;
}

}  // namespace qmpc
