#include "net/email/message.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include "config/text.hpp"
#include "net/email/errc.hpp"
#include "net/email/mime_codec.hpp"

namespace cdpd::net::email {

namespace {

using internal::encoded_words;
using internal::is_ascii;

/// Hex digits of SHA-256 kept in a Message-ID (128 bits).
constexpr std::size_t message_id_hex_digits = 32;

/// Headers longer than this are sent as encoded-words, which can be folded.
constexpr std::size_t longest_plain_header = 900;

/// Headers to_mime writes itself; an extra header must not repeat them.
constexpr std::array<std::string_view, 11> managed_headers{
    "date",
    "from",
    "to",
    "subject",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "bcc"};

caf::error invalid(std::string what) {
  return make_error(errc::invalid_message, std::move(what));
}

bool has_line_break(std::string_view text) {
  return text.find_first_of(std::string_view{"\r\n\0", 3}) !=
         std::string_view::npos;
}

bool valid_header_name(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return c > 32 && c < 127 && c != ':';
         });
}

bool valid_address(std::string_view address) {
  auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos)
    return false;
  return std::all_of(address.begin(), address.end(), [](unsigned char c) {
    return c > 32 && c < 127 &&
           std::string_view{"<>()[],;:\\\""}.find(static_cast<char>(c)) ==
               std::string_view::npos;
  });
}

/// RFC 5322 atext plus blanks and '.': safe unquoted in a display name.
bool plain_phrase(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view{" .!#$%&'*+-/=?^_`{|}~"}.find(
               static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string format_mailbox(const mailbox& box) {
  if (box.display_name.empty())
    return box.address;
  if (!is_ascii(box.display_name))
    return encoded_words(box.display_name) + " <" + box.address + ">";
  if (plain_phrase(box.display_name))
    return box.display_name + " <" + box.address + ">";
  std::string quoted = "\"";
  for (char c : box.display_name) {
    if (c == '"' || c == '\\')
      quoted += '\\';
    quoted += c;
  }
  return quoted + "\" <" + box.address + ">";
}

std::string header_text(std::string_view value) {
  // Plain text that looks like an encoded-word must be encoded itself
  // (RFC 2047 §5), or readers would decode it.
  if (is_ascii(value) && value.size() <= longest_plain_header &&
      value.find("=?") == std::string_view::npos)
    return std::string{value};
  return encoded_words(value);
}

std::string domain_of(const std::string& address) {
  return address.substr(address.find('@') + 1);
}

bool valid_message_id(std::string_view id) {
  if (id.size() < 5 || id.front() != '<' || id.back() != '>')
    return false;
  auto inner = id.substr(1, id.size() - 2);
  auto at = inner.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == inner.size())
    return false;
  return std::all_of(inner.begin(), inner.end(), [](unsigned char c) {
    return c > 32 && c < 127 && c != '<' && c != '>';
  });
}

std::string mailto_uri(std::string_view target) {
  if (config::lower(target.substr(0, 7)) == "mailto:")
    return std::string{target};
  return "mailto:" + std::string{target};
}

/// A boundary that quoted-printable text can never contain: QP writes '='
/// only before two hex digits or a line break, never before '_'.
std::string boundary_for(const std::string& message_id) {
  return "=_cdpd_" + internal::sha256_hex(message_id).substr(0, 24);
}

void append_header(std::string& out, std::string_view name,
                   std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

} // namespace

std::string deterministic_message_id(std::string_view idempotency_key,
                                     std::string_view domain) {
  return "<" +
         internal::sha256_hex(idempotency_key)
             .substr(0, message_id_hex_digits) +
         "@" + std::string{domain} + ">";
}

caf::expected<mailbox> parse_mailbox(std::string_view text) {
  if (has_line_break(text))
    return invalid("mailbox contains a line break");
  text = config::trim(text);
  mailbox result;
  auto open = text.rfind('<');
  if (open != std::string_view::npos) {
    if (text.back() != '>')
      return invalid("mailbox '" + std::string{text} + "' lacks a closing '>'");
    auto name = config::trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    result.display_name = std::string{name};
    text = text.substr(open + 1, text.size() - open - 2);
  }
  if (!valid_address(text))
    return invalid("'" + std::string{text} + "' is not an email address");
  result.address = std::string{text};
  return result;
}

caf::expected<std::string> effective_message_id(const email_message& msg) {
  if (!msg.message_id.empty()) {
    if (!valid_message_id(msg.message_id))
      return invalid("message_id is not of the form <left@right>");
    return msg.message_id;
  }
  if (msg.idempotency_key.empty())
    return invalid("message has neither message_id nor idempotency_key");
  auto sender = parse_mailbox(msg.from);
  if (!sender)
    return invalid("from: " + describe(sender.error()));
  return deterministic_message_id(msg.idempotency_key,
                                  domain_of(sender->address));
}

caf::expected<void> validate(const email_message& msg) {
  if (auto sender = parse_mailbox(msg.from); !sender)
    return invalid("from: " + describe(sender.error()));
  if (auto recipient = parse_mailbox(msg.to); !recipient)
    return invalid("to: " + describe(recipient.error()));
  if (has_line_break(msg.subject))
    return invalid("subject contains a line break");
  if (msg.idempotency_key.empty())
    return invalid("idempotency_key is empty");
  if (has_line_break(msg.idempotency_key))
    return invalid("idempotency_key contains a line break");
  if (auto id = effective_message_id(msg); !id)
    return id.error();
  auto scheme = config::lower(msg.unsubscribe_url.substr(0, 8));
  if (scheme.rfind("https://", 0) != 0 && scheme.rfind("http://", 0) != 0)
    return invalid("unsubscribe_url is not an http(s) URL");
  if (has_line_break(msg.unsubscribe_url) ||
      msg.unsubscribe_url.find_first_of("<> ") != std::string::npos)
    return invalid("unsubscribe_url contains a line break, blank or <>");
  if (msg.unsubscribe_mailto) {
    if (has_line_break(*msg.unsubscribe_mailto) ||
        msg.unsubscribe_mailto->find_first_of("<> ") != std::string::npos)
      return invalid("unsubscribe_mailto contains a line break, blank or <>");
  }
  for (const auto& [name, value] : msg.headers) {
    if (!valid_header_name(name))
      return invalid("header name '" + name +
                     "' is not printable ASCII "
                     "without ':'");
    auto key = config::lower(name);
    if (std::find(managed_headers.begin(), managed_headers.end(), key) !=
        managed_headers.end())
      return invalid("header " + name + " is set by cdpd itself");
    if (has_line_break(value))
      return invalid("header " + name + " contains a line break");
  }
  return {};
}

std::string list_unsubscribe_value(const email_message& msg) {
  std::string value = "<" + msg.unsubscribe_url + ">";
  if (msg.unsubscribe_mailto)
    value += ", <" + mailto_uri(*msg.unsubscribe_mailto) + ">";
  return value;
}

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed",
                                         "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr",
                                           "May", "Jun", "Jul", "Aug",
                                           "Sep", "Oct", "Nov", "Dec"};
  auto seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                days[utc.tm_wday], utc.tm_mday, months[utc.tm_mon],
                utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

caf::expected<std::string> to_mime(const email_message& msg,
                                   std::chrono::system_clock::time_point date) {
  if (auto ok = validate(msg); !ok)
    return ok.error();
  auto id = effective_message_id(msg);
  auto sender = parse_mailbox(msg.from);
  auto recipient = parse_mailbox(msg.to);
  std::string out;
  append_header(out, "Date", rfc5322_date(date));
  append_header(out, "From", format_mailbox(*sender));
  append_header(out, "To", format_mailbox(*recipient));
  append_header(out, "Subject", header_text(msg.subject));
  append_header(out, "Message-ID", *id);
  append_header(out, "MIME-Version", "1.0");
  append_header(out, "List-Unsubscribe", list_unsubscribe_value(msg));
  append_header(out, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  for (const auto& [name, value] : msg.headers)
    append_header(out, name, header_text(value));
  auto text_part = internal::quoted_printable(msg.text_body);
  if (!msg.html_body) {
    append_header(out, "Content-Type", "text/plain; charset=utf-8");
    append_header(out, "Content-Transfer-Encoding", "quoted-printable");
    out += "\r\n" + text_part;
    if (text_part.size() < 2 ||
        text_part.compare(text_part.size() - 2, 2, "\r\n") != 0)
      out += "\r\n";
    return out;
  }
  auto boundary = boundary_for(*id);
  append_header(out, "Content-Type",
                "multipart/alternative; boundary=\"" + boundary + "\"");
  out += "\r\nThis is a multi-part message in MIME format.\r\n";
  auto part = [&](std::string_view type, const std::string& body) {
    out += "--" + boundary + "\r\n";
    append_header(out, "Content-Type", std::string{type} + "; charset=utf-8");
    append_header(out, "Content-Transfer-Encoding", "quoted-printable");
    out += "\r\n" + body + "\r\n";
  };
  part("text/plain", text_part);
  part("text/html", internal::quoted_printable(*msg.html_body));
  out += "--" + boundary + "--\r\n";
  return out;
}

} // namespace cdpd::net::email
