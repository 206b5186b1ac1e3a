#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

/// One webhook POST with libcurl: no redirects followed, no proxy, http and
/// https only, and (unless private hosts are allowed) a connection only to
/// a public address, checked on the address libcurl is about to connect
/// to, so a name that resolves elsewhere since the endpoint was saved is
/// refused too.
namespace cdpd::actors::webhooks {

/// Bytes of an answer's body that are kept for the delivery log.
inline constexpr std::size_t kept_body_bytes = 1024;

/// What the POST got.
struct post_result {
  int status = 0;          ///< HTTP status; 0 when no answer came
  std::string body;        ///< the first kept_body_bytes of the answer
  std::string error;       ///< the transport failure, when there was one
  int64_t latency_ms = 0;  ///< from the start to the end of the transfer
  int64_t retry_after = 0; ///< Retry-After in ms, 0 when absent
};

/// POSTs `body` to `url` with `headers` (name, value), bounded by
/// `timeout` (connection included). Blocks; never throws. The calling
/// thread's handle is reused, so its connections are kept alive.
post_result
post_webhook(const std::string& url,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body, std::chrono::milliseconds timeout,
             bool allow_private);

} // namespace cdpd::actors::webhooks
