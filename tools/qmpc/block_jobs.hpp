// The job commands besides mirror: qmpc commit, stream and backup (block_jobs.cpp), and qmpc job (job.cpp).
#pragma once

#include "runtime.hpp"

#include "cli/block_job_options.hpp"

#include <boost/asio/awaitable.hpp>

namespace qmpc {

// Each handles SIGINT/SIGTERM itself (aborts the job, then exits 130), as run_mirror does.
boost::asio::awaitable<int> run_commit(const Runtime& rt, const cli::CommitOptions& o);
boost::asio::awaitable<int> run_stream(const Runtime& rt, const cli::StreamOptions& o);
boost::asio::awaitable<int> run_backup(const Runtime& rt, const cli::BackupOptions& o);
boost::asio::awaitable<int> run_job(const Runtime& rt, const cli::JobCommandOptions& o);

}  // namespace qmpc
