#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <curl/curl.h>

/// What the smtp and http providers share about libcurl.
namespace cdpd::net::email::internal {

/// An easy handle with an error buffer; nullptr-safe cleanup. A handle is
/// used by one thread at a time (see thread_handle()).
class curl_easy {
public:
  /// Initialises libcurl once per process, then a handle with
  /// CURLOPT_NOSIGNAL (signals must not be used from worker threads).
  curl_easy();
  ~curl_easy();
  curl_easy(const curl_easy&) = delete;
  curl_easy& operator=(const curl_easy&) = delete;

  /// False when libcurl could not be initialised.
  explicit operator bool() const { return handle_ != nullptr; }

  CURL* get() const { return handle_; }

  /// libcurl's message for the last failure: the error buffer, else the
  /// code's generic text.
  std::string message(CURLcode code) const;

  /// Forgets every option of the last transfer (curl_easy_reset) and sets
  /// the handle's own again; open connections stay for the next transfer.
  void reset();

private:
  CURL* handle_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
};

/// The calling thread's handle, reset for a new transfer. Sends from one
/// dispatcher thread reuse its connections (HTTP keep-alive, an open SMTP
/// session) instead of a new TCP and TLS handshake per message.
curl_easy& thread_handle();

/// Bounds the next transfer by `timeout` and its connection (TCP and TLS)
/// by at most 10 s of it, so an unreachable server fails well before a
/// long send timeout.
void set_timeouts(CURL* handle, std::chrono::milliseconds timeout);

/// Frees a curl_slist when it goes out of scope.
struct slist_deleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

/// Transport failures worth retrying: refused or broken connections,
/// timeouts, name resolution, TLS handshakes.
bool transient_transport_failure(CURLcode code);

/// `url` without user and password, for error messages.
std::string redact_url(const std::string& url);

} // namespace cdpd::net::email::internal
