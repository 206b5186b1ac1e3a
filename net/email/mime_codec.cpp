#include "net/email/mime_codec.hpp"

#include <algorithm>
#include <array>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace cdpd::net::email::internal {

namespace {

/// Longest quoted-printable line before the soft break '='.
constexpr std::size_t qp_line_limit = 75;

/// Bytes of text per encoded-word: 45 bytes are 60 base64 characters, and
/// with "=?UTF-8?B?" and "?=" the word stays within RFC 2047's 75.
constexpr std::size_t word_bytes = 45;

constexpr char hex_digits[] = "0123456789ABCDEF";
constexpr char lower_hex_digits[] = "0123456789abcdef";

/// Length of the UTF-8 sequence a lead byte starts (1 for stray bytes).
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF0)
    return 4;
  if (lead >= 0xE0)
    return 3;
  if (lead >= 0xC0)
    return 2;
  return 1;
}

void qp_line(std::string_view line, std::string& out) {
  std::size_t used = 0;
  auto emit = [&](std::string_view token) {
    if (used + token.size() > qp_line_limit) {
      out += "=\r\n";
      used = 0;
    }
    out += token;
    used += token.size();
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    bool last = i + 1 == line.size();
    // Trailing blanks would be stripped in transit, and a '.' or "From " at
    // the start of a line is mangled by some relays: encode them.
    bool literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    if (used == 0 && (c == '.' || line.substr(i, 5) == "From "))
      literal = false;
    if (literal) {
      char one[1] = {static_cast<char>(c)};
      emit(std::string_view{one, 1});
    } else {
      char three[3] = {'=', hex_digits[c >> 4], hex_digits[c & 0x0F]};
      emit(std::string_view{three, 3});
    }
  }
}

} // namespace

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  auto written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    auto line =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos
                                                       : end - pos);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    qp_line(line, out);
    if (end == std::string_view::npos)
      break;
    out += "\r\n";
    pos = end + 1;
  }
  return out;
}

std::string encoded_words(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t take = 0;
    while (pos + take < text.size()) {
      auto len =
          utf8_sequence_length(static_cast<unsigned char>(text[pos + take]));
      len = std::min(len, text.size() - pos - take);
      if (take + len > word_bytes)
        break;
      take += len;
    }
    if (!out.empty())
      out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(pos, take)) + "?=";
    pos += take;
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out += lower_hex_digits[digest[i] >> 4];
    out += lower_hex_digits[digest[i] & 0x0F];
  }
  return out;
}

} // namespace cdpd::net::email::internal
