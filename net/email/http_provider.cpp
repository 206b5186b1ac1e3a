#include "net/email/http_provider.hpp"

#include <algorithm>
#include <cctype>

#include "net/email/curl_easy.hpp"
#include "net/email/errc.hpp"

namespace cdpd::net::email {

namespace {

using internal::slist_ptr;

/// Most bytes of a provider's answer kept for error messages.
constexpr std::size_t kept_answer_bytes = 512;

/// Collects the response body, up to kept_answer_bytes.
size_t collect(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  auto n = size * count;
  if (body->size() < kept_answer_bytes)
    body->append(data, std::min(n, kept_answer_bytes - body->size()));
  return n;
}

/// Picks the X-Message-Id header SendGrid answers with.
size_t collect_header(char* data, size_t size, size_t count, void* user) {
  auto n = size * count;
  std::string line{data, n};
  constexpr std::string_view name = "x-message-id:";
  if (line.size() > name.size()) {
    std::string head = line.substr(0, name.size());
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) {
      return static_cast<char>(std::tolower(c));
    });
    if (head == name) {
      auto value = line.substr(name.size());
      auto first = value.find_first_not_of(" \t");
      auto last = value.find_last_not_of(" \t\r\n");
      if (first != std::string::npos)
        *static_cast<std::string*>(user) =
            value.substr(first, last - first + 1);
    }
  }
  return n;
}

nlohmann::json address_json(const mailbox& box) {
  nlohmann::json out{{"email", box.address}};
  if (!box.display_name.empty())
    out["name"] = box.display_name;
  return out;
}

bool retryable_status(long status) {
  return status == 408 || status == 429 || status >= 500;
}

} // namespace

caf::expected<nlohmann::json> sendgrid_body(const email_message& msg) {
  if (auto ok = validate(msg); !ok)
    return ok.error();
  auto id = *effective_message_id(msg);
  nlohmann::json content = nlohmann::json::array();
  content.push_back({{"type", "text/plain"}, {"value", msg.text_body}});
  if (msg.html_body)
    content.push_back({{"type", "text/html"}, {"value", *msg.html_body}});
  nlohmann::json headers{
      {"Message-ID", id},
      {"List-Unsubscribe", list_unsubscribe_value(msg)},
      {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  for (const auto& [name, value] : msg.headers)
    headers[name] = value;
  return nlohmann::json{
      {"personalizations",
       nlohmann::json::array({{{"to", nlohmann::json::array({address_json(
                                          *parse_mailbox(msg.to))})}}})},
      {"from", address_json(*parse_mailbox(msg.from))},
      {"subject", msg.subject},
      {"content", std::move(content)},
      {"headers", std::move(headers)}};
}

http_provider::http_provider(const config::email_settings& settings)
    : settings_(settings) {}

std::string_view http_provider::name() const {
  return "http";
}

caf::expected<send_receipt> http_provider::send(const email_message& msg) {
  auto body = sendgrid_body(msg);
  if (!body)
    return body.error();
  auto text = body->dump();
  auto id = *effective_message_id(msg);
  auto& curl = internal::thread_handle();
  if (!curl)
    return make_error(errc::retryable, "libcurl could not be initialised");
  auto* h = curl.get();
  slist_ptr headers{
      curl_slist_append(nullptr, "Content-Type: application/json")};
  curl_slist_append(headers.get(), "Accept: application/json");
  // No "Expect: 100-continue" round trip before each body.
  curl_slist_append(headers.get(), "Expect:");
  curl_slist_append(headers.get(),
                    ("Idempotency-Key: " + msg.idempotency_key).c_str());
  if (!settings_.http_api_key.empty())
    curl_slist_append(
        headers.get(),
        ("Authorization: Bearer " + settings_.http_api_key).c_str());
  std::string answer;
  std::string provider_id;
  curl_easy_setopt(h, CURLOPT_URL, settings_.http_url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, text.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &provider_id);
  internal::set_timeouts(h, settings_.timeout);
  auto code = curl_easy_perform(h);
  auto where = "http " + internal::redact_url(settings_.http_url);
  if (code != CURLE_OK)
    return make_error(internal::transient_transport_failure(code)
                          ? errc::retryable
                          : errc::permanent,
                      where + ": " + curl.message(code));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    auto detail = "HTTP " + std::to_string(status);
    if (!provider_id.empty())
      detail += " x-message-id " + provider_id;
    return send_receipt{"http", id, detail, true};
  }
  return make_error(retryable_status(status) ? errc::retryable
                                             : errc::permanent,
                    where + ": HTTP " + std::to_string(status) + ": " + answer);
}

} // namespace cdpd::net::email
