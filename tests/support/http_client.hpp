#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// A tiny blocking HTTP/1.1 client on POSIX sockets, for tests of cdpd's HTTP
/// server: connects to 127.0.0.1 only and throws std::runtime_error on
/// failures a test cannot go on from.
namespace cdpd::test {

/// One parsed response.
struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers; ///< lower-case names
  std::string body;

  /// A header's value ("" when absent); `name` in lower case.
  std::string header(const std::string& name) const;

  /// True when the response carries the header.
  bool has_header(const std::string& name) const;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

/// Formats a request with Host and (for a body or POST/PUT/PATCH)
/// Content-Length, unless `headers` already has them.
std::string format_request(std::string_view method, std::string_view target,
                           std::string_view body = {},
                           const header_list& headers = {});

/// Sends one request on a new connection and reads its response. Throws
/// when the connection fails or no complete response arrives in time.
http_reply http_call(uint16_t port, std::string method, std::string target,
                     std::string body = {}, header_list headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds{
                         10});

/// A connection under the test's control: keep-alive, partial requests,
/// oversized requests, watching the server close.
class raw_connection {
public:
  raw_connection() = default;

  /// Connects at once (see connect()).
  explicit raw_connection(uint16_t port);

  ~raw_connection();

  raw_connection(raw_connection&& other) noexcept;
  raw_connection& operator=(raw_connection&& other) noexcept;
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  /// Connects to 127.0.0.1:port. Throws std::runtime_error on failure.
  void connect(uint16_t port);

  /// Connects; returns false instead of throwing when refused.
  bool try_connect(uint16_t port);

  /// Sends all bytes; false when the peer closed or reset the connection.
  bool send(std::string_view bytes);

  /// Reads the next response; nullopt when none is complete before the
  /// timeout or the peer closes first. `head_request`: the request was HEAD,
  /// so the response has no body. `interim`: return 1xx responses (such as
  /// 100 Continue) instead of skipping them.
  std::optional<http_reply> read_reply(std::chrono::milliseconds timeout,
                                       bool head_request = false,
                                       bool interim = false);

  /// True when the peer closes (or resets) the connection before the
  /// timeout; bytes arriving meanwhile are kept (see pending_bytes()).
  bool closed_by_peer(std::chrono::milliseconds timeout);

  /// Received bytes not yet consumed by read_reply().
  std::size_t pending_bytes() const { return buffer_.size(); }

  /// Closes our end.
  void close();

  /// True while connected.
  bool is_open() const { return fd_ >= 0; }

private:
  /// Reads more bytes into buffer_ until the deadline: true when some
  /// arrived, false on timeout, EOF or error (eof_ tells which).
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

} // namespace cdpd::test
