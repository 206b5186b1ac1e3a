#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

/// Streams a file as the body of an HTTP POST with libcurl, so files of any
/// size go out without being held in memory.
namespace cdpd::ctl {

/// What came back.
struct upload_result {
  long status = 0;   ///< HTTP status; 0 when no response arrived
  std::string body;  ///< the response body
  std::string error; ///< why no response arrived (libcurl's words)
};

/// Called now and then with the bytes sent so far.
using upload_progress = std::function<void(uint64_t sent)>;

/// POSTs everything `in` yields to `url` with `headers` ("Name: value").
/// `size` is the body's length, or -1 to send it chunked (a pipe). The
/// timeout covers connecting only: a large upload may take as long as it
/// needs while bytes keep moving.
upload_result post_stream(const std::string& url, std::FILE* in, int64_t size,
                          const std::vector<std::string>& headers,
                          const upload_progress& progress);

} // namespace cdpd::ctl
