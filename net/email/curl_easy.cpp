#include "net/email/curl_easy.hpp"

#include <algorithm>

namespace cdpd::net::email::internal {

namespace {

bool global_init() {
  // A function-local static runs curl_global_init exactly once, before any
  // handle exists, even with concurrent first sends.
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

} // namespace

curl_easy::curl_easy() {
  if (!global_init())
    return;
  handle_ = curl_easy_init();
  if (!handle_)
    return;
  reset();
}

void curl_easy::reset() {
  if (!handle_)
    return;
  curl_easy_reset(handle_);
  error_[0] = '\0';
  curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_);
}

curl_easy& thread_handle() {
  thread_local curl_easy handle;
  handle.reset();
  return handle;
}

void set_timeouts(CURL* handle, std::chrono::milliseconds timeout) {
  auto connect =
      std::min<std::chrono::milliseconds>(std::chrono::seconds{10}, timeout);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(connect.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(timeout.count()));
}

curl_easy::~curl_easy() {
  if (handle_)
    curl_easy_cleanup(handle_);
}

std::string curl_easy::message(CURLcode code) const {
  return error_[0] != '\0' ? std::string{error_}
                           : std::string{curl_easy_strerror(code)};
}

bool transient_transport_failure(CURLcode code) {
  switch (code) {
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_AGAIN:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return true;
  default:
    return false;
  }
}

std::string redact_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return url;
  auto authority = scheme_end + 3;
  auto path = url.find_first_of("/?#", authority);
  auto at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at == std::string::npos || at < authority)
    return url;
  return url.substr(0, authority) + "***@" + url.substr(at + 1);
}

} // namespace cdpd::net::email::internal
