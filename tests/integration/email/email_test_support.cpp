#include "tests/integration/email/email_test_support.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cdpd::test {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text;
}

std::string base64_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0)
    throw std::runtime_error("bad base64");
  out.resize(static_cast<std::size_t>(n));
  auto pad = std::count(text.end() - std::min<std::size_t>(2, text.size()),
                        text.end(), '=');
  out.resize(out.size() - static_cast<std::size_t>(pad));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

} // namespace

net::email::email_message sample_message(const std::string& key,
                                         const std::string& to) {
  net::email::email_message msg;
  msg.from = "Shop News <news@shop.example>";
  msg.to = to;
  msg.subject = "Hello " + key;
  msg.text_body = "Hi there,\nthis is message " + key + ".\n";
  msg.unsubscribe_url = "https://shop.example/u/token-" + key;
  msg.idempotency_key = "campaign-7/step-1/" + key;
  return msg;
}

std::string parsed_mail::header(const std::string& lowercase_name) const {
  auto found = headers.find(lowercase_name);
  return found == headers.end() ? std::string{} : found->second;
}

parsed_mail parse_mail(std::string_view text) {
  parsed_mail mail;
  std::vector<std::string> lines;
  std::size_t pos = 0;
  bool in_body = false;
  std::string current;
  auto flush = [&] {
    if (current.empty())
      return;
    auto colon = current.find(':');
    auto value = current.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    mail.headers.emplace(lower(current.substr(0, colon)), value);
    current.clear();
  };
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    bool terminated = end != std::string_view::npos;
    if (!terminated)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    if (terminated && !line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    pos = end + 1;
    if (in_body) {
      mail.body.append(line);
      if (terminated)
        mail.body.append("\r\n");
      continue;
    }
    if (line.empty()) {
      flush();
      in_body = true;
    } else if (line.front() == ' ' || line.front() == '\t') {
      current.append(line);
    } else {
      flush();
      current = std::string{line};
    }
  }
  flush();
  return mail;
}

std::string qp_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
      continue;
    }
    if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\n') {
      i += 1;
      continue;
    }
    if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 ||
        hex_value(text[i + 2]) < 0)
      throw std::runtime_error("bad quoted-printable at " + std::to_string(i));
    out +=
        static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
    i += 2;
  }
  return out;
}

std::string decode_words(std::string_view value) {
  std::string out;
  std::size_t pos = 0;
  constexpr std::string_view prefix = "=?UTF-8?B?";
  bool previous_word = false;
  while (pos < value.size()) {
    auto start = value.find(prefix, pos);
    if (start == std::string_view::npos) {
      out.append(value.substr(pos));
      break;
    }
    auto between = value.substr(pos, start - pos);
    // Blanks between two encoded-words are not part of the text.
    if (!(previous_word &&
          between.find_first_not_of(" \t\r\n") == std::string_view::npos))
      out.append(between);
    auto end = value.find("?=", start + prefix.size());
    if (end == std::string_view::npos)
      throw std::runtime_error("unterminated encoded-word");
    out += base64_decode(
        value.substr(start + prefix.size(), end - start - prefix.size()));
    pos = end + 2;
    previous_word = true;
  }
  return out;
}

std::vector<parsed_mail> split_parts(std::string_view body,
                                     const std::string& boundary) {
  std::vector<parsed_mail> parts;
  auto delimiter = "--" + boundary;
  auto pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    auto after = pos + delimiter.size();
    if (body.substr(after, 2) == "--")
      break;
    auto start = body.find('\n', after) + 1;
    auto next = body.find("\r\n" + delimiter, start);
    if (next == std::string_view::npos)
      throw std::runtime_error("multipart without closing delimiter");
    // The line break before the delimiter belongs to the delimiter.
    parts.push_back(parse_mail(body.substr(start, next - start)));
    pos = next + 2;
  }
  return parts;
}

std::string boundary_of(const std::string& content_type) {
  auto at = content_type.find("boundary=\"");
  if (at == std::string::npos)
    return {};
  auto start = at + 10;
  return content_type.substr(start, content_type.find('"', start) - start);
}

temp_dir::temp_dir() {
  char tmpl[] = "/tmp/cdpd-email-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool port_accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

} // namespace cdpd::test
