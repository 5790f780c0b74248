#include "mirror/error.hpp"

#include <string>

namespace mirror {

namespace {
class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "qmpc.mirror"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "success";
      case errc::start_failed: return "QEMU refused to start the mirror job";
      case errc::job_failed: return "the mirror job failed";
      case errc::job_cancelled: return "the mirror job was cancelled";
      case errc::deadline_expired: return "a mirror deadline expired; the job was aborted";
      case errc::outcome_unknown: return "the mirror job's outcome is unknown";
      case errc::wrong_outcome: return "the mirror job ended in another way than asked";
      case errc::invalid_options: return "invalid mirror options";
      case errc::abandoned: return "qmpc stopped following the mirror job and left it as it was";
    }
    return "unknown mirror error";
  }
};
}  // namespace

const boost::system::error_category& category() noexcept {
  static const Category c;
  return c;
}

}  // namespace mirror
