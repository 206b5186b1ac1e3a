#pragma once

#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

/// The byte stream of one accepted connection: plain TCP, or TLS over TCP
/// when the server has a certificate. Sessions are written once against this
/// type; it meets Asio's AsyncReadStream and AsyncWriteStream, so Beast's
/// parsers and serializers use it directly. Only net/http/http_server.cpp
/// includes it (Asio and OpenSSL headers are heavy).
namespace cdpd::net::internal {

class connection_stream {
public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  /// Takes the accepted socket; `tls` (may be null, must outlive the
  /// stream) turns TLS on.
  connection_stream(boost::asio::ip::tcp::socket socket,
                    boost::asio::ssl::context* tls) {
    if (tls)
      tls_.emplace(std::move(socket), *tls);
    else
      plain_.emplace(std::move(socket));
  }

  executor_type get_executor() { return tcp().get_executor(); }

  /// The TCP layer: its socket and its expiry (bounds TLS handshakes and
  /// shutdowns as well as writes).
  boost::beast::tcp_stream& tcp() {
    return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
  }

  bool secure() const { return tls_.has_value(); }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

  /// The server side of the TLS handshake; completes at once without TLS.
  /// `handler(error_code)`.
  template <class Handler> void async_handshake(Handler&& handler) {
    if (tls_)
      tls_->async_handshake(boost::asio::ssl::stream_base::server,
                            std::forward<Handler>(handler));
    else
      boost::asio::post(get_executor(),
                        [h = std::forward<Handler>(handler)]() mutable {
                          h(boost::beast::error_code{});
                        });
  }

  /// Sends TLS close_notify and waits for the peer's. Only with TLS.
  template <class Handler> void async_shutdown(Handler&& handler) {
    tls_->async_shutdown(std::forward<Handler>(handler));
  }

private:
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

/// A TLS server context holding the PEM certificate chain and key, TLS 1.2
/// and newer only. On failure returns nullopt and sets `error` to the file
/// and OpenSSL's reason.
inline std::optional<boost::asio::ssl::context>
make_tls_context(const std::string& cert_file, const std::string& key_file,
                 std::string& error) {
  namespace ssl = boost::asio::ssl;
  ssl::context ctx{ssl::context::tls_server};
  boost::beast::error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                  ec);
  ctx.use_certificate_chain_file(cert_file, ec);
  if (ec) {
    error = "http.tls-cert: cannot use " + cert_file + ": " + ec.message();
    return std::nullopt;
  }
  ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    error = "http.tls-key: cannot use " + key_file + ": " + ec.message();
    return std::nullopt;
  }
  return ctx;
}

} // namespace cdpd::net::internal
