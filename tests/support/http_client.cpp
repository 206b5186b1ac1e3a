#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cdpd::test {

namespace {

using steady = std::chrono::steady_clock;

std::string lower(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

bool has(const header_list& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
    return lower(h.first) == lower(name);
  });
}

} // namespace

std::string http_reply::header(const std::string& name) const {
  auto i = headers.find(name);
  return i == headers.end() ? std::string{} : i->second;
}

bool http_reply::has_header(const std::string& name) const {
  return headers.count(name) > 0;
}

std::string format_request(std::string_view method, std::string_view target,
                           std::string_view body, const header_list& headers) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has(headers, "host"))
    out += "Host: 127.0.0.1\r\n";
  bool wants_length =
      !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (wants_length && !has(headers, "content-length") &&
      !has(headers, "transfer-encoding"))
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  out += "\r\n";
  out.append(body);
  return out;
}

http_reply http_call(uint16_t port, std::string method, std::string target,
                     std::string body, header_list headers,
                     std::chrono::milliseconds timeout) {
  raw_connection connection{port};
  if (!connection.send(format_request(method, target, body, headers)))
    throw std::runtime_error("http_call: sending " + method + " " + target +
                             " failed");
  auto reply = connection.read_reply(timeout, method == "HEAD");
  if (!reply)
    throw std::runtime_error("http_call: no complete response to " + method +
                             " " + target);
  return std::move(*reply);
}

raw_connection::raw_connection(uint16_t port) {
  connect(port);
}

raw_connection::~raw_connection() {
  close();
}

raw_connection::raw_connection(raw_connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), eof_(other.eof_),
      buffer_(std::move(other.buffer_)) {}

raw_connection& raw_connection::operator=(raw_connection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    eof_ = other.eof_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

void raw_connection::connect(uint16_t port) {
  if (!try_connect(port))
    throw std::runtime_error(
        "raw_connection: cannot connect to 127.0.0.1:" + std::to_string(port) +
        ": " + std::strerror(errno));
}

bool raw_connection::try_connect(uint16_t port) {
  close();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
      0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return false;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fd_ = fd;
  eof_ = false;
  buffer_.clear();
  return true;
}

bool raw_connection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0)
      return false;
    auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

bool raw_connection::fill(steady::time_point deadline) {
  while (fd_ >= 0 && !eof_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - steady::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      return false;
    char chunk[16 * 1024];
    auto got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      eof_ = true; // orderly close or reset: no more bytes either way
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }
  return false;
}

std::optional<http_reply>
raw_connection::read_reply(std::chrono::milliseconds timeout, bool head_request,
                           bool interim) {
  auto deadline = steady::now() + timeout;
  for (;;) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline))
        return std::nullopt;
    std::string_view head{buffer_.data(), end};
    http_reply reply;
    auto line_end = head.find("\r\n");
    auto status_line = head.substr(0, line_end);
    auto space = status_line.find(' ');
    if (status_line.substr(0, 5) != "HTTP/" || space == std::string::npos)
      throw std::runtime_error("read_reply: bad status line: " +
                               std::string{status_line});
    reply.status =
        std::atoi(std::string{status_line.substr(space + 1, 3)}.c_str());
    auto rest = line_end == std::string_view::npos ? std::string_view{}
                                                   : head.substr(line_end + 2);
    while (!rest.empty()) {
      auto next = rest.find("\r\n");
      auto line = rest.substr(0, next);
      rest = next == std::string_view::npos ? std::string_view{}
                                            : rest.substr(next + 2);
      auto colon = line.find(':');
      if (colon == std::string_view::npos)
        continue;
      auto name = lower(trim(line.substr(0, colon)));
      auto value = std::string{trim(line.substr(colon + 1))};
      auto [i, fresh] = reply.headers.emplace(name, value);
      if (!fresh)
        i->second += ", " + value;
    }
    buffer_.erase(0, end + 4);
    if (reply.status >= 100 && reply.status < 200) {
      if (interim)
        return reply;
      continue; // e.g. 100 Continue
    }
    bool bodiless = head_request || reply.status == 204 || reply.status == 304;
    if (bodiless)
      return reply;
    if (lower(reply.header("transfer-encoding")).find("chunked") !=
        std::string::npos) {
      for (;;) {
        std::size_t line;
        while ((line = buffer_.find("\r\n")) == std::string::npos)
          if (!fill(deadline))
            return std::nullopt;
        auto size = std::stoul(buffer_.substr(0, line), nullptr, 16);
        while (buffer_.size() < line + 2 + size + 2)
          if (!fill(deadline))
            return std::nullopt;
        reply.body.append(buffer_, line + 2, size);
        buffer_.erase(0, line + 2 + size + 2);
        if (size == 0)
          return reply; // trailers are not used by the server
      }
    }
    if (reply.has_header("content-length")) {
      auto length = std::stoul(reply.header("content-length"));
      while (buffer_.size() < length)
        if (!fill(deadline))
          return std::nullopt;
      reply.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      return reply;
    }
    while (fill(deadline)) {
      // Body delimited by the end of the connection.
    }
    if (!eof_)
      return std::nullopt;
    reply.body = std::move(buffer_);
    buffer_.clear();
    return reply;
  }
}

bool raw_connection::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  while (fill(deadline)) {
    // Keep what arrives; only the end of the stream matters here.
  }
  return eof_;
}

void raw_connection::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

} // namespace cdpd::test
