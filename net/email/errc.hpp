#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

/// Error codes of email rendering and sending (category "email"). What a
/// caller does with a failed send depends only on classify(): retry later
/// with the same idempotency key, or give up on the message.
namespace cdpd::net::email {

enum class errc : uint8_t {
  retryable = 1,    ///< the provider may accept it later (timeout, 4xx SMTP,
                    ///< HTTP 429/5xx, connection refused)
  permanent,        ///< the provider refused it for good (5xx SMTP,
                    ///< HTTP 400/401/403/422)
  invalid_template, ///< a template has a syntax error or an unknown name
  invalid_message,  ///< a message cannot be sent as it is (CR/LF in a
                    ///< header, missing address, bad unsubscribe URL)
  invalid_settings, ///< email settings name no usable provider
};

/// Name of a code, for logs and problem bodies ("retryable").
const char* to_string(errc code);

/// Whether a failed send is worth another attempt.
enum class failure { retryable, permanent };

/// Builds an email error with a human-readable explanation (never a
/// password or API key).
inline caf::error make_error(errc code, std::string what) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("email"),
                    caf::make_message(std::move(what))};
}

/// The explanation stored by make_error, or the code's name.
std::string describe(const caf::error& err);

/// failure::retryable for errc::retryable, failure::permanent for every
/// other error (of this category or any other).
failure classify(const caf::error& err);

} // namespace cdpd::net::email

CAF_ERROR_CODE_ENUM(cdpd::net::email::errc, "email")
