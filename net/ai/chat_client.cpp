#include "net/ai/chat_client.hpp"

#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "net/email/curl_easy.hpp"

namespace cdpd::net::ai {

namespace {

using actors::ai::attempt_kind;
using nlohmann::json;
namespace curl = net::email::internal;

struct answer {
  std::string body;
  std::string retry_after;
};

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<answer*>(out)->body.append(data, size * count);
  return size * count;
}

size_t collect_header(char* data, size_t size, size_t count, void* out) {
  std::string_view line{data, size * count};
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    bool match = true;
    for (size_t i = 0; i < name.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
    if (match) {
      auto value = line.substr(name.size());
      while (!value.empty() &&
             std::isspace(static_cast<unsigned char>(value.front())))
        value.remove_prefix(1);
      while (!value.empty() &&
             std::isspace(static_cast<unsigned char>(value.back())))
        value.remove_suffix(1);
      static_cast<answer*>(out)->retry_after = std::string{value};
    }
  }
  return size * count;
}

attempt_kind kind_of_status(long status) {
  if (status == 429)
    return attempt_kind::rate_limited;
  if (status == 401 || status == 403)
    return attempt_kind::auth_failed;
  if (status == 408 || status >= 500)
    return attempt_kind::server_error;
  return attempt_kind::refused;
}

/// The provider's own error message, when its body has one.
std::string error_text(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    auto it = parsed.find("error");
    if (it != parsed.end() && it->is_object() && it->contains("message") &&
        (*it)["message"].is_string())
      return (*it)["message"].get<std::string>();
  }
  return body.substr(0, 200);
}

void read_success(const std::string& body, attempt_result& out) {
  auto parsed = json::parse(body, nullptr, false);
  const json* content = nullptr;
  if (parsed.is_object()) {
    auto choices = parsed.find("choices");
    if (choices != parsed.end() && choices->is_array() && !choices->empty()) {
      const auto& first = (*choices)[0];
      if (first.is_object() && first.contains("message") &&
          first["message"].is_object() &&
          first["message"].contains("content") &&
          first["message"]["content"].is_string())
        content = &first["message"]["content"];
    }
  }
  if (!content) {
    out.kind = attempt_kind::bad_reply;
    out.detail = "the provider's answer has no choices[0].message.content";
    return;
  }
  out.content = content->get<std::string>();
  if (parsed.contains("model") && parsed["model"].is_string())
    out.model = parsed["model"].get<std::string>();
  if (auto usage = parsed.find("usage");
      usage != parsed.end() && usage->is_object()) {
    out.tokens_in = usage->value("prompt_tokens", int64_t{0});
    out.tokens_out = usage->value("completion_tokens", int64_t{0});
  }
}

} // namespace

std::string request_body(const provider_endpoint& endpoint,
                         const chat_request& request) {
  json body = {{"model", endpoint.model},
               {"messages",
                json::array({{{"role", "system"}, {"content", request.system}},
                             {{"role", "user"}, {"content", request.user}}})},
               {"max_tokens", endpoint.max_tokens},
               {"temperature", endpoint.temperature},
               {"response_format", {{"type", "json_object"}}}};
  return body.dump();
}

millis parse_retry_after(std::string_view value) {
  long long seconds = 0;
  auto [end, ec] =
      std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || end != value.data() + value.size() || seconds < 0)
    return millis{-1};
  return millis{seconds * 1000};
}

attempt_result chat_completion(const provider_endpoint& endpoint,
                               const chat_request& request, millis timeout) {
  attempt_result out;
  auto& handle = curl::thread_handle();
  if (!handle) {
    out.kind = attempt_kind::unreachable;
    out.detail = "libcurl could not be initialised";
    return out;
  }
  auto* h = handle.get();
  auto url = endpoint.base_url;
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  url += "/chat/completions";
  auto text = request_body(endpoint, request);
  curl::slist_ptr headers{
      curl_slist_append(nullptr, "Content-Type: application/json")};
  curl_slist_append(headers.get(), "Accept: application/json");
  curl_slist_append(headers.get(), "Expect:");
  std::string bearer;
  if (!endpoint.api_key.empty()) {
    bearer = "Authorization: Bearer " + endpoint.api_key;
    curl_slist_append(headers.get(), bearer.c_str());
  }
  answer got;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, text.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &got);
  curl::set_timeouts(h, timeout);
  auto code = curl_easy_perform(h);
  auto where = "POST " + curl::redact_url(url);
  if (code != CURLE_OK) {
    out.kind = code == CURLE_OPERATION_TIMEDOUT ? attempt_kind::timed_out
                                                : attempt_kind::unreachable;
    out.detail = where + ": " + handle.message(code);
    return out;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  if (out.status >= 200 && out.status < 300) {
    read_success(got.body, out);
    if (out.kind != attempt_kind::ok)
      out.detail = where + ": " + out.detail;
    return out;
  }
  out.kind = kind_of_status(out.status);
  out.retry_after = parse_retry_after(got.retry_after);
  out.detail = where + ": HTTP " + std::to_string(out.status) + ": " +
               error_text(got.body);
  return out;
}

} // namespace cdpd::net::ai
