#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "net/email/message.hpp"

/// Helpers of the email tests: sample messages and the decoding a mail
/// reader would do, written independently of the encoders under test.
namespace cdpd::test {

/// A valid message to `to`, unique by `key`.
net::email::email_message
sample_message(const std::string& key,
               const std::string& to = "Ada Lovelace <ada@example.org>");

/// A parsed RFC 5322 message: header names lowercased, folded lines
/// joined; the body with CRLF line ends (an unterminated last line stays
/// unterminated).
struct parsed_mail {
  std::multimap<std::string, std::string> headers;
  std::string body;

  /// The first value of a header, empty when absent.
  std::string header(const std::string& lowercase_name) const;
};

/// Parses a message with CRLF or LF line ends.
parsed_mail parse_mail(std::string_view text);

/// Decodes quoted-printable (soft breaks removed, =XX decoded).
std::string qp_decode(std::string_view text);

/// Decodes a header value made of RFC 2047 B-encoded UTF-8 words separated
/// by blanks; other text is kept as it is.
std::string decode_words(std::string_view value);

/// The parts of a multipart body between `--boundary` lines, each parsed
/// as headers and body.
std::vector<parsed_mail> split_parts(std::string_view body,
                                     const std::string& boundary);

/// The boundary parameter of a Content-Type value, empty when none.
std::string boundary_of(const std::string& content_type);

/// A fresh directory under /tmp, removed with everything in it on
/// destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

/// True when a TCP connection to 127.0.0.1:port succeeds.
bool port_accepts(uint16_t port);

} // namespace cdpd::test
