#include "qmp/transcript_error.hpp"

namespace qmp {
namespace {

class TranscriptCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "qmpc.transcript"; }
  std::string message(int ev) const override {
    switch (static_cast<transcript_errc>(ev)) {
      case transcript_errc::ok: return "success";
      case transcript_errc::not_json: return "transcript line is not a JSON object";
      case transcript_errc::bad_header: return "transcript header is missing or malformed";
      case transcript_errc::unsupported_version: return "transcript format version is not supported";
      case transcript_errc::bad_entry: return "malformed transcript entry";
      case transcript_errc::out_of_order: return "transcript entries are out of order";
      case transcript_errc::empty: return "transcript is empty";
      case transcript_errc::bad_log: return "cannot import the libvirt log";
      case transcript_errc::line_too_long: return "a line of the file is longer than the limit";
    }
    return "unknown transcript error";
  }
};

}  // namespace

const boost::system::error_category& transcript_category() noexcept {
  static const TranscriptCategory instance;
  return instance;
}

}  // namespace qmp
