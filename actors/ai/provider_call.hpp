#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

/// One call to an OpenAI-compatible chat completion API, as the connector
/// sees it: what it asks, what one attempt gave. The HTTP client that
/// makes an attempt lives in net/ai/ and is handed to the connector as an
/// attempt_fn, so this layer knows no HTTP library.
namespace cdpd::actors::ai {

using millis = std::chrono::milliseconds;

/// What one provider request carries besides the messages.
struct provider_endpoint {
  std::string base_url; ///< without the trailing /chat/completions
  std::string api_key;  ///< empty: no Authorization header
  std::string model;
  int max_tokens = 1024;
  double temperature = 0.7;
};

/// The two messages of a request.
struct chat_request {
  std::string system;
  std::string user;
};

/// How one attempt ended.
enum class attempt_kind {
  ok,
  rate_limited, ///< 429: retried after Retry-After
  auth_failed,  ///< 401, 403: never retried
  server_error, ///< 5xx: retried
  timed_out,    ///< no answer in time: retried
  unreachable,  ///< refused connection, DNS, TLS: retried
  refused,      ///< another 4xx: never retried
  bad_reply,    ///< 2xx without choices[0].message.content: never retried
};

struct attempt_result {
  attempt_kind kind = attempt_kind::ok;
  long status = 0;        ///< HTTP status, 0 without one
  std::string content;    ///< choices[0].message.content
  std::string model;      ///< the model the provider says answered
  int64_t tokens_in = 0;  ///< usage.prompt_tokens
  int64_t tokens_out = 0; ///< usage.completion_tokens
  millis retry_after{-1}; ///< Retry-After of a 429/503; -1 without one
  std::string detail;     ///< what went wrong, without the key
};

/// Makes one attempt, bounded by `timeout`. Called on a worker thread.
using attempt_fn = std::function<attempt_result(
    const provider_endpoint&, const chat_request&, millis timeout)>;

/// Whether an attempt that ended so is worth another.
bool retryable(attempt_kind kind);

} // namespace cdpd::actors::ai
