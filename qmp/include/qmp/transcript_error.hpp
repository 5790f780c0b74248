// Error codes of transcript reading and writing (category "qmpc-transcript").
#pragma once

#include "qmp/error.hpp"

namespace qmp {

enum class transcript_errc {
  ok = 0,
  not_json = 1,           // a line is not a JSON object
  bad_header,             // the first line is not a transcript header
  unsupported_version,    // the header's version is newer than this reader
  bad_entry,              // an entry line lacks a member or has one of the wrong type
  out_of_order,           // seq or t_us goes backwards
  empty,                  // the file has no header line
  bad_log,                // a libvirt log could not be imported
  line_too_long,          // a line of a file is longer than the reader's limit
};

const boost::system::error_category& transcript_category() noexcept;

inline error_code make_error_code(transcript_errc e) noexcept { return {static_cast<int>(e), transcript_category()}; }

}  // namespace qmp

template <>
struct boost::system::is_error_code_enum<qmp::transcript_errc> : std::true_type {};
