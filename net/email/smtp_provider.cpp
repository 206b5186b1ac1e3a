#include "net/email/smtp_provider.hpp"

#include <algorithm>
#include <cstring>

#include "net/email/curl_easy.hpp"
#include "net/email/errc.hpp"

namespace cdpd::net::email {

namespace {

using internal::slist_ptr;

/// The rest of the message libcurl still has to upload.
struct upload {
  const std::string* text;
  std::size_t offset = 0;
};

size_t read_chunk(char* buffer, size_t size, size_t count, void* user) {
  auto* state = static_cast<upload*>(user);
  auto left = state->text->size() - state->offset;
  auto n = std::min(left, size * count);
  std::memcpy(buffer, state->text->data() + state->offset, n);
  state->offset += n;
  return n;
}

/// SMTP reply codes decide when the server answered (4xx: try later, 5xx:
/// never); otherwise the transport failure does.
caf::error classify_failure(CURLcode code, long reply, std::string what) {
  if (reply >= 400 && reply < 500)
    return make_error(errc::retryable, std::move(what));
  if (reply >= 500 && reply < 600)
    return make_error(errc::permanent, std::move(what));
  if (internal::transient_transport_failure(code))
    return make_error(errc::retryable, std::move(what));
  return make_error(errc::permanent, std::move(what));
}

} // namespace

smtp_provider::smtp_provider(const config::email_settings& settings)
    : settings_(settings) {}

std::string_view smtp_provider::name() const {
  return "smtp";
}

caf::expected<send_receipt> smtp_provider::send(const email_message& msg) {
  auto text = to_mime(msg);
  if (!text)
    return text.error();
  auto id = *effective_message_id(msg);
  auto sender = *parse_mailbox(msg.from);
  auto recipient = *parse_mailbox(msg.to);
  auto& curl = internal::thread_handle();
  if (!curl)
    return make_error(errc::retryable, "libcurl could not be initialised");
  auto* h = curl.get();
  auto mail_from = "<" + sender.address + ">";
  slist_ptr rcpt{
      curl_slist_append(nullptr, ("<" + recipient.address + ">").c_str())};
  upload state{&*text};
  bool implicit_tls = settings_.smtp_url.rfind("smtps://", 0) == 0;
  curl_easy_setopt(h, CURLOPT_URL, settings_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   implicit_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_chunk);
  curl_easy_setopt(h, CURLOPT_READDATA, &state);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(text->size()));
  internal::set_timeouts(h, settings_.timeout);
  auto code = curl_easy_perform(h);
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  if (code != CURLE_OK)
    return classify_failure(
        code, reply,
        "smtp " + internal::redact_url(settings_.smtp_url) + ": " +
            curl.message(code) +
            (reply > 0 ? " (reply " + std::to_string(reply) + ")" : ""));
  return send_receipt{"smtp", id, "reply " + std::to_string(reply), true};
}

} // namespace cdpd::net::email
