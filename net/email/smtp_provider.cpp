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

bool is_loopback_host(const std::string& url) {
  CURLU* parsed = curl_url();
  char* host = nullptr;
  bool loopback = false;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    std::string h{host};
    loopback = h == "localhost" || h == "[::1]" || h.rfind("127.", 0) == 0;
  }
  curl_free(host);
  curl_url_cleanup(parsed);
  return loopback;
}

/// smtps:// is TLS from the start; smtp:// must upgrade with STARTTLS, or a
/// man in the middle who strips the offer reads the credentials and every
/// message. Only a loopback relay, or an explicit setting, may stay clear.
curl_usessl tls_requirement(const config::email_settings& settings) {
  if (settings.smtp_url.rfind("smtps://", 0) == 0)
    return CURLUSESSL_ALL;
  if (settings.smtp_allow_plaintext || is_loopback_host(settings.smtp_url))
    return CURLUSESSL_TRY;
  return CURLUSESSL_ALL;
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
  curl_easy_setopt(h, CURLOPT_URL, settings_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   static_cast<long>(tls_requirement(settings_)));
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
  if (code == CURLE_USE_SSL_FAILED)
    // Retryable: a stripped STARTTLS offer may be an attack that ends.
    return make_error(errc::retryable,
                      "smtp " + internal::redact_url(settings_.smtp_url) +
                          ": the server offered no STARTTLS and TLS is "
                          "required off loopback (email.smtp-allow-plaintext "
                          "allows clear text)");
  if (code != CURLE_OK)
    return classify_failure(
        code, reply,
        "smtp " + internal::redact_url(settings_.smtp_url) + ": " +
            curl.message(code) +
            (reply > 0 ? " (reply " + std::to_string(reply) + ")" : ""));
  return send_receipt{"smtp", id, "reply " + std::to_string(reply), true};
}

} // namespace cdpd::net::email
