#include "net/email/provider.hpp"

#include <filesystem>
#include <system_error>

#include "net/email/curl_easy.hpp"
#include "net/email/errc.hpp"
#include "net/email/http_provider.hpp"
#include "net/email/outbox_provider.hpp"
#include "net/email/smtp_provider.hpp"

namespace cdpd::net::email {

namespace {

caf::error bad_setting(const std::string& key, const std::string& what) {
  return make_error(errc::invalid_settings, key + ": " + what);
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

caf::error check_timeout(const config::email_settings& settings) {
  if (settings.timeout.count() <= 0)
    return bad_setting("email.timeout", "must be above 0");
  return {};
}

} // namespace

caf::expected<std::unique_ptr<email_provider>>
make_provider(const config::email_settings& settings) {
  if (auto sender = parse_mailbox(settings.from); !sender)
    return bad_setting("email.from", describe(sender.error()));
  if (settings.provider == "outbox") {
    if (settings.outbox_dir.empty())
      return bad_setting("email.outbox-dir", "is empty");
    std::error_code ec;
    std::filesystem::create_directories(settings.outbox_dir, ec);
    if (ec)
      return bad_setting("email.outbox-dir", "cannot create '" +
                                                 settings.outbox_dir +
                                                 "': " + ec.message());
    return std::unique_ptr<email_provider>{
        std::make_unique<outbox_provider>(settings.outbox_dir)};
  }
  if (settings.provider == "smtp") {
    if (!starts_with(settings.smtp_url, "smtp://") &&
        !starts_with(settings.smtp_url, "smtps://"))
      return bad_setting("email.smtp-url",
                         "'" + internal::redact_url(settings.smtp_url) +
                             "' is not an smtp:// or smtps:// URL");
    if (auto err = check_timeout(settings))
      return err;
    return std::unique_ptr<email_provider>{
        std::make_unique<smtp_provider>(settings)};
  }
  if (settings.provider == "http") {
    if (!starts_with(settings.http_url, "http://") &&
        !starts_with(settings.http_url, "https://"))
      return bad_setting("email.http-url",
                         "'" + internal::redact_url(settings.http_url) +
                             "' is not an http:// or https:// URL");
    if (auto err = check_timeout(settings))
      return err;
    return std::unique_ptr<email_provider>{
        std::make_unique<http_provider>(settings)};
  }
  return bad_setting("email.provider", "'" + settings.provider +
                                           "' is not one of outbox, smtp, "
                                           "http");
}

} // namespace cdpd::net::email
