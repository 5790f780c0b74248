// Uses one type of each installed library; prints the encoded command so the test can check it ran.
#include <mirror/job_status.hpp>
#include <qmp/codec.hpp>
#include <qmp/session.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>

int main() {
  boost::asio::io_context ioc;
  qmp::Session session(ioc.get_executor());
  std::fputs(qmp::encode_command("query-status", "", 1).c_str(), stdout);
  return session.is_open() ? 1 : 0;
}
