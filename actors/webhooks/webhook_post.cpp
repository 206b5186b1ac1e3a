#include "actors/webhooks/webhook_post.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>
#include <mutex>

#include <curl/curl.h>

#include "actors/domain/webhook_target.hpp"

namespace cdpd::actors::webhooks {

namespace {

struct easy_deleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

/// What the callbacks of one transfer fill.
struct transfer {
  std::string body;
  std::string retry_after;
  bool allow_private = false;
  std::string refused; ///< why a connection was refused
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<transfer*>(user);
  auto n = size * count;
  if (t->body.size() < kept_body_bytes)
    t->body.append(data, std::min(n, kept_body_bytes - t->body.size()));
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<transfer*>(user);
  auto n = size * count;
  std::string line(data, n);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    std::string head = line.substr(0, name.size());
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (head == name) {
      auto value = line.substr(name.size());
      auto first = value.find_first_not_of(" \t");
      auto last = value.find_last_not_of(" \t\r\n");
      t->retry_after = first == std::string::npos
                           ? std::string{}
                           : value.substr(first, last - first + 1);
    }
  }
  return n;
}

curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<transfer*>(user);
  if (!t->allow_private) {
    auto kind = domain::classify_address(&address->addr);
    if (kind != domain::address_kind::global) {
      t->refused = std::string("refused to connect to a ") +
                   domain::to_string(kind) +
                   " address (webhooks.allow-private is not set)";
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

/// Retry-After as milliseconds: delay-seconds or an HTTP date.
int64_t retry_after_ms(const std::string& value) {
  if (value.empty())
    return 0;
  if (std::all_of(value.begin(), value.end(),
                  [](unsigned char c) { return std::isdigit(c); }))
    return value.size() > 9 ? int64_t{999'999'999} * 1000
                            : std::stoll(value) * 1000;
  auto when = curl_getdate(value.c_str(), nullptr);
  if (when < 0)
    return 0;
  auto delta =
      static_cast<int64_t>(when) - static_cast<int64_t>(std::time(nullptr));
  return std::max<int64_t>(delta, 0) * 1000;
}

CURL* thread_handle() {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  thread_local std::unique_ptr<CURL, easy_deleter> handle{curl_easy_init()};
  return handle.get();
}

} // namespace

post_result
post_webhook(const std::string& url,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body, std::chrono::milliseconds timeout,
             bool allow_private) {
  post_result out;
  CURL* h = thread_handle();
  if (h == nullptr) {
    out.error = "libcurl could not be initialised";
    return out;
  }
  curl_easy_reset(h);
  transfer t;
  t.allow_private = allow_private;
  std::unique_ptr<curl_slist, slist_deleter> list;
  for (const auto& [name, value] : headers) {
    auto line = name + ": " + value;
    list.reset(curl_slist_append(list.release(), line.c_str()));
  }
  // libcurl adds "Expect: 100-continue" to larger POSTs; receivers differ
  // in how they treat it and it costs a round trip.
  list.reset(curl_slist_append(list.release(), "Expect:"));
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "cdpd-webhooks");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(
      h, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(std::min<int64_t>(timeout.count(), 10'000)));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
  auto started = std::chrono::steady_clock::now();
  auto code = curl_easy_perform(h);
  out.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  if (code != CURLE_OK) {
    if (!t.refused.empty())
      out.error = t.refused;
    else
      out.error = error[0] != '\0' ? std::string(error)
                                   : std::string(curl_easy_strerror(code));
    return out;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  out.body = std::move(t.body);
  out.retry_after = retry_after_ms(t.retry_after);
  return out;
}

} // namespace cdpd::actors::webhooks
