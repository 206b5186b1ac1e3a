#include "net/http/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>

#include "net/access/address_group.hpp"
#include "net/http/connection_registry.hpp"
#include "net/http/connection_stream.hpp"
#include "net/http/cors.hpp"
#include "net/http/expect_continue.hpp"
#include "net/http/http_message.hpp"
#include "net/http/http_metrics.hpp"
#include "net/http/problem.hpp"
#include "net/http/request_body_stream.hpp"
#include "net/http/request_id.hpp"
#include "net/http/response_stream.hpp"
#include "net/http/router.hpp"
#include "net/http/session_state.hpp"
#include "net/http/uri.hpp"

namespace cdpd::net {

namespace internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

/// How long a connection that is being closed keeps reading and discarding
/// input after its last response: closing a socket with unread input sends a
/// reset, which can destroy the response before the client reads it.
constexpr std::chrono::seconds linger_timeout{1};

/// How much input a closing connection discards before giving up.
constexpr std::size_t linger_max_bytes = 1024 * 1024;

/// Bytes requested from the socket per read.
constexpr std::size_t read_chunk = 16 * 1024;

/// Bytes of a streamed body handed to its sink at a time.
constexpr std::size_t stream_chunk = 256 * 1024;

/// Pause before accepting again after accept() failed (e.g. out of file
/// descriptors), so the loop does not spin.
constexpr std::chrono::milliseconds accept_retry_delay{100};

constexpr const char* request_id_header = "X-Request-ID";

constexpr std::pair<const char*, const char*> security_headers[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"}};

/// Sent on every answer over TLS: browsers then refuse plain HTTP to this
/// host for a year.
constexpr const char* hsts_value = "max-age=31536000";

/// The "http" logger: the default logger's sinks under our name.
std::shared_ptr<spdlog::logger> http_logger() {
  static std::mutex mutex;
  std::lock_guard<std::mutex> guard{mutex};
  if (auto logger = spdlog::get("http"))
    return logger;
  auto logger = spdlog::default_logger()->clone("http");
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Registered by someone else meanwhile: use theirs.
    if (auto existing = spdlog::get("http"))
      return existing;
  }
  return logger;
}

std::string_view to_std(beast::string_view text) {
  return {text.data(), text.size()};
}

/// Headers the server writes itself; a handler's copies are ignored.
bool reserved_header(beast::string_view name) {
  for (beast::string_view reserved :
       {"content-length", "content-type", "transfer-encoding", "connection",
        "server", "x-request-id"})
    if (beast::iequals(name, reserved))
      return true;
  return false;
}

bool bodiless_status(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

/// Tells a response body producer that nothing more is wanted, logging
/// what it throws.
void release_and_log(body_producer producer,
                     const std::shared_ptr<spdlog::logger>& log) {
  release_producer(std::move(producer), [&log](std::string_view what) {
    if (what.empty())
      log->error("a response body producer threw when released");
    else
      log->error("a response body producer threw when released: {}", what);
  });
}

class session;
class reply_slot;

/// What the acceptor, the sessions and the responders share. Sessions and
/// responders may outlive the server object, so this is reference counted.
struct server_state {
  server_state(const config::http_settings& settings,
               std::shared_ptr<const router> routes,
               prometheus::Registry* registry)
      : settings(settings),
        routes(routes ? std::move(routes) : std::make_shared<const router>()),
        metrics(registry),
        connections(
            static_cast<std::size_t>(std::max(1, settings.max_connections)),
            static_cast<std::size_t>(
                std::max(0, settings.max_connections_per_address)),
            metrics),
        log(http_logger()), cors(settings.cors_origins) {}

  const config::http_settings settings;
  const std::shared_ptr<const router> routes;
  http_metrics metrics;
  /// Its lock also guards `sessions` and every session's `io_`: responders
  /// run on foreign threads and check liveness under it before they touch a
  /// connection's executor.
  connection_registry connections;
  const std::shared_ptr<spdlog::logger> log;
  const cors_policy cors;
  /// Set by start() before the first connection; empty serves plain HTTP.
  std::optional<asio::ssl::context> tls;

  std::unordered_map<session*, std::weak_ptr<session>> sessions;
};

/// One request's bookkeeping, from parsing to the end of its response.
struct exchange {
  std::string method = "OTHER";
  unsigned version = 11;
  bool keep_alive = false;
  bool head = false;
  std::string request_id;
  std::string origin; ///< the Origin header, for CORS
  std::string route = "unmatched";
  steady::time_point start = steady::now();
  uint64_t sequence = 0;
};

/// One TCP connection: reads a request, dispatches it, writes the response,
/// repeats. Every member is touched only on the connection's strand, except
/// those guarded by the connection registry's lock.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, std::shared_ptr<server_state> server)
      : server_(std::move(server)), stream_([this](std::string_view what) {
          on_callback_threw("response body producer", what);
        }),
        body_(stream_chunk, [this](std::string_view what) {
          on_callback_threw("body sink", what);
        }) {
    beast::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    if (!ec)
      client_address_ = peer.address().to_string();
    io_.emplace(std::move(socket), server_->tls ? &*server_->tls : nullptr);
  }

  ~session() {
    // Only when the producer dropped its `next` uncalled; otherwise close()
    // or release_stream() told it already.
    stream_.release();
    auto guard = server_->connections.lock();
    if (io_) {
      // Only when stop() did not release us first; stop() waits for this.
      server_->connections.finish_request_locked(membership_);
      server_->connections.release_connection_locked(membership_);
      io_.reset();
      server_->connections.release_io_locked(membership_);
    }
    server_->sessions.erase(this);
  }

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// The server's logger.
  const std::shared_ptr<spdlog::logger>& log() const { return server_->log; }

  /// The connection's share of the registry's counts.
  connection_registry::membership& membership() { return membership_; }

  /// Starts reading requests, after the TLS handshake when TLS is on.
  void start() {
    asio::post(io_->stream.get_executor(),
               [self = shared_from_this()] { self->handshake(); });
  }

  /// The client's address group (IPv6 by /64), which the cap per address
  /// counts by.
  std::string address_group() const {
    return net::address_group(client_address_);
  }

  /// Answers 503 (http.max-connections reached) or 429
  /// (http.max-connections-per-address reached) and closes.
  void refuse(connection_registry::admission why) {
    asio::post(io_->stream.get_executor(),
               [self = shared_from_this(), why] { self->on_refuse(why); });
  }

  /// Asks the connection to close if idle. Requires the registry's lock.
  void post_drain_locked() {
    if (io_)
      asio::post(io_->stream.get_executor(),
                 [self = shared_from_this()] { self->on_drain(); });
  }

  /// Closes the socket and settles the accounting. Requires the registry's
  /// lock, with no I/O thread running.
  void release_locked() {
    record_stream();
    server_->connections.finish_request_locked(membership_);
    server_->connections.release_connection_locked(membership_);
    if (state_ != session_state::closed)
      transition(session_state::closed);
    if (io_) {
      io_.reset();
      server_->connections.release_io_locked(membership_);
    }
  }

  /// Hands a response to the connection's strand; from any thread. Dropped
  /// when the server stopped or the response belongs to an older request.
  void deliver(http_response response, uint64_t sequence) {
    {
      auto guard = server_->connections.lock();
      if (server_->connections.liveness_locked() && io_) {
        asio::post(io_->stream.get_executor(),
                   [self = shared_from_this(), response = std::move(response),
                    sequence]() mutable {
                     self->on_response(std::move(response), sequence);
                   });
        return;
      }
    }
    release_and_log(std::move(response.producer), server_->log);
  }

  /// Tells the producer of a streamed response that nothing more is
  /// wanted. For stop(), once no I/O thread runs; release_locked() came
  /// first.
  void release_stream() { stream_.release(); }

private:
  struct io_objects {
    io_objects(tcp::socket socket, asio::ssl::context* tls)
        : stream(std::move(socket), tls), timer(stream.get_executor()) {}
    connection_stream stream;
    asio::steady_timer timer; ///< the read timeout
  };

  const config::http_settings& settings() const { return server_->settings; }

  /// The one place the state changes.
  void transition(session_state next) {
    if (!allowed_transition(state_, next)) {
      server_->log->critical("illegal connection state change from {} to {}",
                             to_string(state_), to_string(next));
      assert(false && "illegal connection state change");
    }
    state_ = next;
  }

  /// True when the current request's exchange began, i.e. it was handed to
  /// a handler, and its response has not been written yet.
  bool exchange_begun() const { return membership_.in_flight(); }

  /// True while a streamed body is still arriving: an answer now leaves
  /// the rest unread, so the connection cannot be reused.
  bool body_unread() const {
    return state_ == session_state::streaming ||
           state_ == session_state::awaiting_sink ||
           (state_ == session_state::timed_out && exchange_begun());
  }

  void on_callback_threw(std::string_view what_threw, std::string_view what) {
    server_->log->error("{} for {} {} threw (request {}){}{}", what_threw,
                        current_.method, current_.route, current_.request_id,
                        what.empty() ? "" : ": ", what);
  }

  // -- reading ---------------------------------------------------------------

  void handshake() {
    if (state_ == session_state::closed)
      return;
    // A client that never finishes its handshake holds the connection no
    // longer than one that never finishes its request.
    io_->stream.tcp().expires_after(settings().read_timeout);
    io_->stream.async_handshake(
        [self = shared_from_this()](beast::error_code ec) {
          if (self->state_ == session_state::closed)
            return;
          self->io_->stream.tcp().expires_never();
          if (ec) {
            self->server_->log->debug("TLS handshake failed: {}", ec.message());
            self->close();
            return;
          }
          self->do_read();
        });
  }

  void do_read() {
    if (state_ == session_state::closed)
      return;
    if (server_->connections.draining() && buffer_.size() == 0) {
      close();
      return;
    }
    // Bytes already buffered belong to the next request, which has started.
    transition(buffer_.size() > 0 ? session_state::reading_header
                                  : session_state::idle);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<std::size_t>(
        settings().max_header_bytes, std::numeric_limits<uint32_t>::max())));
    // The route decides the real limit once the header is in (check_header);
    // until then only the larger of the two can be ruled out.
    parser_->body_limit(static_cast<uint64_t>(
        std::max(settings().max_body_bytes, settings().max_import_bytes)));
    stream_parser_.reset();
    body_.detach();
    early_.reset();
    continue_.reset();
    arm_read_timer();
    if (state_ == session_state::reading_header)
      parse_input();
    else
      read_more();
  }

  void read_more() {
    read_pending_ = true;
    io_->stream.async_read_some(
        buffer_.prepare(read_chunk),
        beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t bytes) {
    read_pending_ = false;
    if (state_ == session_state::lingering) {
      // A streamed body's read that was under way when its early response
      // went out: it now serves the linger.
      on_linger_read(ec, bytes);
      return;
    }
    if (!receiving(state_))
      return;
    if (early_) {
      // The handler answered before the body was complete: the rest of the
      // body is not wanted.
      buffer_.consume(buffer_.size());
      stop_read_timer();
      auto response = std::move(*early_);
      early_.reset();
      send(std::move(response));
      return;
    }
    if (state_ == session_state::timed_out ||
        state_ == session_state::idle_timed_out) {
      // The deadline passed, even if some bytes made it just in time.
      if (state_ == session_state::timed_out || bytes > 0)
        reject(408, rejection::read_timeout,
               "request not received within " +
                   std::to_string(settings().read_timeout.count()) +
                   " ms (http.read-timeout)",
               "read-timeout");
      else
        close();
      return;
    }
    if (ec) {
      if (ec != asio::error::eof)
        server_->log->debug("read failed: {}", ec.message());
      close();
      return;
    }
    buffer_.commit(bytes);
    // The request's own clock starts with its first byte; until then the
    // connection was idle. A streamed body only has to keep moving: each
    // read restarts its clock.
    if (state_ == session_state::idle) {
      transition(session_state::reading_header);
      arm_read_timer();
    } else if (state_ == session_state::streaming) {
      arm_read_timer();
    }
    parse_input();
  }

  void parse_input() {
    if (state_ == session_state::streaming) {
      parse_stream_input();
      return;
    }
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      auto used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more)
        break;
      if (ec) {
        on_parse_error(ec);
        return;
      }
      // put() stops right after the header, before any body byte.
      if (state_ == session_state::reading_header &&
          parser_->is_header_done()) {
        if (!check_header())
          return; // answered, or the body is now streamed
      }
      if (used == 0)
        break;
    }
    if (parser_->is_done()) {
      dispatch_request();
      return;
    }
    if (state_ == session_state::reading_body && continue_.due()) {
      send_continue();
      return;
    }
    read_more();
  }

  /// Applies the matched route's body limit, or hands the request to a
  /// streaming route. False when the request is no longer read here.
  bool check_header() {
    const auto& header = parser_->get();
    if (!plain_chunked(header)) {
      reject(400, rejection::bad_request,
             "Transfer-Encoding must be exactly \"chunked\"", {});
      return false;
    }
    continue_.on_header(header.version(), to_std(header[bhttp::field::expect]));
    // Matched once per request, here; dispatch reuses it.
    match_ = match_target(header);
    if (match_.stream_target) {
      start_stream(*match_.stream_target);
      return false;
    }
    auto length = parser_->content_length();
    if (length && *length > settings().max_body_bytes) {
      on_parse_error(bhttp::error::body_limit);
      return false;
    }
    parser_->body_limit(static_cast<uint64_t>(settings().max_body_bytes));
    transition(session_state::reading_body);
    return true;
  }

  /// No Transfer-Encoding, or one field saying exactly "chunked": a proxy
  /// in front may read "gzip, chunked" or " chunked" differently, and a
  /// request split differently on two hops is request smuggling.
  static bool plain_chunked(const bhttp::request_header<>& header) {
    auto fields = header.equal_range(bhttp::field::transfer_encoding);
    if (fields.first == fields.second)
      return true;
    return std::next(fields.first) == fields.second &&
           to_std(fields.first->value()) == "chunked";
  }

  /// The route the request's method and target lead to.
  route_match match_target(const bhttp::request_header<>& header) const {
    std::string target{header.target()};
    auto parts = split_target(target);
    return server_->routes->match(to_std(header.method_string()), parts.path);
  }

  void send_continue() {
    auto bytes = continue_.begin_write();
    asio::async_write(
        io_->stream, asio::buffer(bytes.data(), bytes.size()),
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->continue_.end_write();
          if (!receiving(self->state_))
            return;
          if (self->early_ && !ec) {
            // A streaming handler answered while "100 Continue" went out.
            auto response = std::move(*self->early_);
            self->early_.reset();
            self->stop_read_timer();
            self->send(std::move(response));
            return;
          }
          if (ec || self->state_ == session_state::timed_out) {
            self->close();
            return;
          }
          self->read_more();
        });
  }

  void on_parse_error(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      reject(431, rejection::header_too_large,
             "request header exceeds " +
                 std::to_string(settings().max_header_bytes) +
                 " bytes (http.max-header-bytes)",
             "header-too-large");
    } else if (ec == bhttp::error::body_limit) {
      // A Content-Length over both limits fails before the header is
      // done, with the request line already parsed.
      bool streamed = body_unread() ||
                      (parser_ && !parser_->get().method_string().empty() &&
                       match_target(parser_->get()).stream_target);
      reject(413, rejection::body_too_large,
             streamed ? "request body exceeds " +
                            std::to_string(settings().max_import_bytes) +
                            " bytes (http.max-import-bytes)"
                      : "request body exceeds " +
                            std::to_string(settings().max_body_bytes) +
                            " bytes (http.max-body-bytes)",
             "body-too-large");
    } else {
      server_->log->debug("malformed request: {}", ec.message());
      reject(400, rejection::bad_request,
             "malformed HTTP request: " + ec.message(), {});
    }
  }

  void arm_read_timer() {
    ++read_generation_;
    io_->timer.expires_after(settings().read_timeout);
    io_->timer.async_wait(
        [self = shared_from_this(),
         generation = read_generation_](beast::error_code ec) {
          if (!ec)
            self->on_read_timer(generation);
        });
  }

  void stop_read_timer() {
    ++read_generation_;
    io_->timer.cancel();
  }

  void on_read_timer(uint64_t generation) {
    if (generation != read_generation_)
      return;
    switch (state_) {
    case session_state::idle:
      transition(session_state::idle_timed_out);
      break;
    case session_state::reading_header:
    case session_state::reading_body:
    case session_state::streaming:
      transition(session_state::timed_out);
      break;
    default:
      return;
    }
    beast::error_code ignored;
    io_->stream.tcp().socket().cancel(ignored);
  }

  // -- streamed bodies -------------------------------------------------------

  void start_stream(const stream_handler& target);

  void parse_stream_input() {
    auto& p = *stream_parser_;
    while (!p.is_done()) {
      if (body_.full()) {
        deliver_chunk(false);
        return;
      }
      if (buffer_.size() == 0)
        break;
      auto space = body_.free_size();
      p.get().body().data = body_.free_space();
      p.get().body().size = space;
      beast::error_code ec;
      auto used = p.put(buffer_.data(), ec);
      buffer_.consume(used);
      body_.commit(space - p.get().body().size);
      if (ec == bhttp::error::need_buffer)
        continue; // the chunk is full: hand it over
      if (ec == bhttp::error::need_more)
        break;
      if (ec) {
        on_parse_error(ec);
        return;
      }
      if (used == 0)
        break;
    }
    if (p.is_done()) {
      deliver_chunk(true);
      return;
    }
    if (continue_.due()) {
      send_continue();
      return;
    }
    read_more();
  }

  /// Hands what the chunk holds to the sink; reading resumes when the sink
  /// asks for more (or, after the last chunk, the response is awaited).
  void deliver_chunk(bool last) {
    stop_read_timer();
    transition(last ? session_state::dispatched : session_state::awaiting_sink);
    std::function<void()> more;
    if (!last)
      more = [self = shared_from_this(), sequence = current_.sequence] {
        self->post_more(sequence);
      };
    body_.deliver(last, std::move(more));
  }

  void post_more(uint64_t sequence) {
    auto guard = server_->connections.lock();
    if (!server_->connections.liveness_locked() || !io_)
      return;
    asio::post(
        io_->stream.get_executor(),
        [self = shared_from_this(), sequence] { self->on_more(sequence); });
  }

  void on_more(uint64_t sequence) {
    if (sequence != current_.sequence || state_ != session_state::awaiting_sink)
      return;
    transition(session_state::streaming);
    arm_read_timer();
    parse_stream_input();
  }

  // -- dispatching -----------------------------------------------------------

  /// The request line and headers as far as they were parsed, for answering
  /// a request that was not read completely.
  exchange exchange_so_far() const {
    exchange result;
    // A Content-Length over the body limit fails before is_header_done(),
    // yet the request line and fields are already in the message.
    if (parser_ && !parser_->get().method_string().empty()) {
      const auto& header = parser_->get();
      result.method = std::string{header.method_string()};
      result.version = header.version();
      result.head = header.method() == bhttp::verb::head;
      result.request_id = choose_request_id(to_std(header[request_id_header]));
    } else {
      result.request_id = generate_request_id();
    }
    return result;
  }

  /// Answers a request that breaks a limit or the protocol, and closes.
  void reject(int status, rejection reason, std::string detail,
              std::string_view slug) {
    stop_read_timer();
    if (!exchange_begun())
      current_ = exchange_so_far();
    server_->metrics.rejected(reason);
    server_->log->debug("rejected ({}): {}", to_string(reason), detail);
    send(problem(status, std::move(detail), std::string{slug}),
         connection_after::close);
  }

  void on_refuse(connection_registry::admission why) {
    if (state_ == session_state::closed)
      return; // drained or stopped before the refusal went out
    current_ = exchange_so_far();
    bool per_address =
        why == connection_registry::admission::refused_for_address;
    server_->metrics.rejected(per_address ? rejection::too_many_from_address
                                          : rejection::too_many_connections);
    auto response =
        per_address
            ? problem(
                  429,
                  "your address already has " +
                      std::to_string(settings().max_connections_per_address) +
                      " connections open to this server "
                      "(http.max-connections-per-address); close some "
                      "or reuse them",
                  "too-many-connections-from-address")
            : problem(503,
                      "server already has " +
                          std::to_string(settings().max_connections) +
                          " connections open (http.max-connections)",
                      "too-many-connections");
    response.headers.emplace_back("Retry-After", "1");
    send(std::move(response), connection_after::close);
  }

  void dispatch_request();

  bool begin_exchange(const bhttp::request<bhttp::string_body>& header,
                      http_request& request);

  responder make_responder(std::shared_ptr<reply_slot>& slot);

  void on_response(http_response response, uint64_t sequence) {
    if (sequence != current_.sequence) {
      release_and_log(std::move(response.producer), server_->log);
      return;
    }
    if (state_ == session_state::dispatched) {
      send(std::move(response));
      return;
    }
    if (!body_unread()) {
      release_and_log(std::move(response.producer), server_->log);
      return;
    }
    // Answered while the body is still arriving: the rest is not read.
    body_.detach();
    if (read_pending_ || continue_.writing()) {
      // Sent when that read or write completes: one of each at a time.
      early_ = std::move(response);
      return;
    }
    stop_read_timer();
    send(std::move(response));
  }

  // -- writing ---------------------------------------------------------------

  /// Whether the connection may carry another request after a response.
  enum class connection_after { keep_if_asked, close };

  void send(http_response response,
            connection_after after = connection_after::keep_if_asked) {
    if (response.status < 100 || response.status > 999) {
      server_->log->error("handler for {} {} answered with invalid status {}",
                          current_.method, current_.route, response.status);
      release_and_log(std::move(response.producer), server_->log);
      response = problem(500, "the request handler produced an invalid "
                              "status code");
    }
    if (body_unread()) {
      body_.abort();
      after = connection_after::close;
    }
    transition(session_state::writing);
    bool keep_alive = current_.keep_alive &&
                      after == connection_after::keep_if_asked &&
                      !server_->connections.draining();
    stamp_request_id(response, current_.request_id);
    if (!response.internal_detail.empty())
      server_->log->error("request {} answered {}: {}", current_.request_id,
                          response.status, response.internal_detail);
    server_->cors.decorate(current_.origin, response);
    bool bodiless = bodiless_status(response.status);
    if (response.producer) {
      if (!bodiless) {
        send_streamed(std::move(response), keep_alive);
        return;
      }
      release_and_log(std::move(response.producer), server_->log);
      response.producer = nullptr;
    }
    auto& out = response_.emplace();
    fill_header(out, response, keep_alive);
    if (bodiless) {
      // No body and no Content-Length for 1xx, 204 and 304.
    } else if (current_.head) {
      out.content_length(response.body.size());
    } else {
      out.body() = std::move(response.body);
      out.prepare_payload();
    }
    std::chrono::duration<double> elapsed = steady::now() - current_.start;
    server_->metrics.response_sent(current_.method, current_.route,
                                   response.status, elapsed.count());
    // A client that does not read its response cannot hold the connection.
    io_->stream.tcp().expires_after(settings().read_timeout);
    bhttp::async_write(io_->stream, out,
                       beast::bind_front_handler(
                           &session::on_write, shared_from_this(), keep_alive));
  }

  /// The status line and header fields every answer shares: the handler's
  /// headers, the server's own, the security defaults and the content type.
  template <class Body>
  void fill_header(bhttp::response<Body>& out, const http_response& response,
                   bool keep_alive) {
    out.version(current_.version);
    out.result(static_cast<unsigned>(response.status));
    out.set(bhttp::field::server, "cdpd");
    out.set(request_id_header, current_.request_id);
    for (auto& [name, value] : response.headers)
      if (!reserved_header(name))
        out.insert(name, value);
    // Safe defaults for every answer, unless the handler chose otherwise:
    // no content sniffing, no framing (clickjacking), no referrer leaks.
    for (auto [name, value] : security_headers)
      if (out.find(name) == out.end())
        out.set(name, value);
    if (io_->stream.secure())
      out.set(bhttp::field::strict_transport_security, hsts_value);
    if (!bodiless_status(response.status) && !response.content_type.empty())
      out.set(bhttp::field::content_type, response.content_type);
    out.keep_alive(keep_alive);
  }

  // -- streamed responses ----------------------------------------------------

  /// Writes the header of a response whose body comes from its producer,
  /// then pulls the body piece by piece (pull_piece).
  void send_streamed(http_response response, bool keep_alive) {
    // HTTP/1.0 knows no chunked framing: the end of the connection ends the
    // body there.
    bool chunked = current_.version >= 11;
    if (!chunked)
      keep_alive = false;
    auto& out = stream_head_.emplace();
    fill_header(out, response, keep_alive);
    if (chunked)
      out.chunked(true);
    body_producer producer;
    if (current_.head)
      release_and_log(std::move(response.producer), server_->log);
    else
      producer = std::move(response.producer);
    stream_.begin(response.status, chunked, keep_alive, std::move(producer));
    auto& serializer = stream_serializer_.emplace(out);
    io_->stream.tcp().expires_after(settings().read_timeout);
    bhttp::async_write_header(
        io_->stream, serializer,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->on_stream_header(ec);
        });
  }

  void on_stream_header(beast::error_code ec) {
    if (state_ != session_state::writing)
      return;
    io_->stream.tcp().expires_never();
    stream_serializer_.reset();
    stream_head_.reset();
    if (ec) {
      server_->log->debug("write failed: {}", ec.message());
      close();
      return;
    }
    if (!stream_.producing()) {
      // HEAD: the header is the whole answer.
      end_stream();
      return;
    }
    pull_piece();
  }

  /// Asks the producer for the next piece; it arrives through on_piece.
  void pull_piece() {
    auto arrive = [self = shared_from_this()](uint64_t ticket,
                                              body_chunk piece) {
      self->post_piece(ticket, std::move(piece));
    };
    if (!stream_.pull(std::move(arrive)))
      on_piece(stream_.ticket(), body_chunk{{}, false, true});
  }

  void post_piece(uint64_t ticket, body_chunk piece) {
    auto guard = server_->connections.lock();
    if (!server_->connections.liveness_locked() || !io_)
      return;
    asio::post(io_->stream.get_executor(),
               [self = shared_from_this(), ticket,
                piece = std::move(piece)]() mutable {
                 self->on_piece(ticket, std::move(piece));
               });
  }

  void on_piece(uint64_t ticket, body_chunk piece) {
    if (state_ != session_state::writing)
      return;
    switch (stream_.accept(ticket, piece)) {
    case response_stream::verdict::stale:
      return;
    case response_stream::verdict::aborted:
      server_->log->warn("response body of {} {} failed mid-way (request {}): "
                         "closing the connection without ending the body",
                         current_.method, current_.route, current_.request_id);
      close();
      return;
    case response_stream::verdict::empty:
      pull_piece();
      return;
    case response_stream::verdict::write:
      break;
    }
    const auto& data = stream_.piece();
    bool last = stream_.last();
    auto bytes = asio::buffer(data.data(), data.size());
    // A client that does not read its response cannot hold the connection.
    io_->stream.tcp().expires_after(settings().read_timeout);
    if (!stream_.chunked())
      write_piece(bytes, last);
    else if (data.empty())
      write_piece(bhttp::make_chunk_last(), last);
    else if (last)
      write_piece(beast::buffers_cat(bhttp::make_chunk(bytes),
                                     bhttp::make_chunk_last()),
                  last);
    else
      write_piece(bhttp::make_chunk(bytes), last);
  }

  template <class ConstBufferSequence>
  void write_piece(const ConstBufferSequence& buffers, bool last) {
    asio::async_write(
        io_->stream, buffers,
        [self = shared_from_this(), last](beast::error_code ec, std::size_t) {
          self->on_piece_written(last, ec);
        });
  }

  void on_piece_written(bool last, beast::error_code ec) {
    if (state_ != session_state::writing)
      return;
    io_->stream.tcp().expires_never();
    if (ec) {
      // The client went away: close() tells the producer.
      server_->log->debug("write failed: {}", ec.message());
      close();
      return;
    }
    if (!last) {
      pull_piece();
      return;
    }
    end_stream();
  }

  /// The streamed response is complete.
  void end_stream() {
    stream_.drop_piece();
    record_stream();
    finish_request();
    if (!stream_.keep_alive()) {
      linger();
      return;
    }
    do_read();
  }

  /// Counts a streamed response once, when its body ended or broke off, so
  /// its latency covers the whole transfer.
  void record_stream() {
    if (!stream_.take_unrecorded())
      return;
    std::chrono::duration<double> elapsed = steady::now() - current_.start;
    server_->metrics.response_sent(current_.method, current_.route,
                                   stream_.status(), elapsed.count());
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (state_ != session_state::writing)
      return;
    io_->stream.tcp().expires_never();
    response_.reset();
    finish_request();
    if (ec) {
      server_->log->debug("write failed: {}", ec.message());
      close();
      return;
    }
    if (!keep_alive) {
      linger();
      return;
    }
    do_read();
  }

  // -- closing ---------------------------------------------------------------

  void linger() {
    transition(session_state::lingering);
    lingered_ = 0;
    if (io_->stream.secure() && !read_pending_) {
      // TLS says goodbye with close_notify; a bare TCP half-close would look
      // like a truncation attack to the client.
      io_->stream.tcp().expires_after(linger_timeout);
      io_->stream.async_shutdown(
          [self = shared_from_this()](beast::error_code) { self->close(); });
      return;
    }
    if (!io_->stream.secure()) {
      beast::error_code ec;
      io_->stream.tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) {
        close();
        return;
      }
    }
    io_->stream.tcp().expires_after(linger_timeout);
    if (read_pending_) {
      // That read was started before the timeout above: bound it too.
      ++read_generation_;
      io_->timer.expires_after(linger_timeout);
      io_->timer.async_wait(
          [self = shared_from_this(),
           generation = read_generation_](beast::error_code ec) {
            if (!ec && generation == self->read_generation_)
              self->close();
          });
      return;
    }
    linger_read();
  }

  void linger_read() {
    io_->stream.async_read_some(
        asio::buffer(discard_),
        [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
          if (self->state_ != session_state::lingering)
            return;
          self->on_linger_read(ec, bytes);
        });
  }

  void on_linger_read(beast::error_code ec, std::size_t bytes) {
    lingered_ += bytes;
    if (ec || lingered_ > linger_max_bytes) {
      close();
      return;
    }
    linger_read();
  }

  void on_drain() {
    // A connection that has not started a request loses nothing; one that
    // has finishes it and closes after its response.
    if (state_ == session_state::idle || state_ == session_state::handshaking)
      close();
  }

  void close() {
    if (state_ == session_state::closed)
      return;
    transition(session_state::closed);
    ++read_generation_;
    body_.abort();
    stream_.release();
    if (early_)
      release_and_log(std::move(early_->producer), server_->log);
    early_.reset();
    record_stream();
    if (io_) {
      beast::error_code ignored;
      io_->timer.cancel();
      io_->stream.tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      io_->stream.tcp().close();
    }
    auto guard = server_->connections.lock();
    server_->connections.finish_request_locked(membership_);
    server_->connections.release_connection_locked(membership_);
  }

  // -- accounting ------------------------------------------------------------

  void start_request() { server_->connections.start_request(membership_); }

  void finish_request() { server_->connections.finish_request(membership_); }

  std::shared_ptr<server_state> server_;
  connection_registry::membership membership_;
  std::optional<io_objects> io_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  /// A streamed response's header, while it is written.
  std::optional<bhttp::response<bhttp::empty_body>> stream_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>>
      stream_serializer_;
  response_stream stream_;           ///< the streamed response's body
  std::array<char, 4096> discard_{}; ///< lingering input goes here
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;
  request_body_stream body_; ///< the streamed request's body
  expect_continue continue_;
  std::optional<http_response> early_; ///< answer waiting for a read to end
  route_match match_; ///< the current request's route, found at its header
  std::string client_address_; ///< the peer's IP address
  session_state state_ = session_state::handshaking;
  exchange current_;
  uint64_t read_generation_ = 0;
  uint64_t next_sequence_ = 0;
  std::size_t lingered_ = 0;
  bool read_pending_ = false; ///< an on_read is outstanding
};

/// The once-only link between a handler's responder and its connection:
/// copies of the responder share it, the first call wins, and a responder
/// dropped without a call answers 500 so the client is not left waiting.
class reply_slot {
public:
  reply_slot(std::shared_ptr<session> owner, uint64_t sequence)
      : owner_(std::move(owner)), sequence_(sequence) {}

  ~reply_slot() {
    if (!used_.exchange(true))
      owner_->deliver(problem(500, "the request handler finished without "
                                   "responding"),
                      sequence_);
  }

  reply_slot(const reply_slot&) = delete;
  reply_slot& operator=(const reply_slot&) = delete;

  void fire(http_response response) {
    if (!used_.exchange(true))
      owner_->deliver(std::move(response), sequence_);
    else
      release_and_log(std::move(response.producer), owner_->log());
  }

  /// True once a response was handed over.
  bool fired() const { return used_; }

private:
  std::shared_ptr<session> owner_;
  uint64_t sequence_;
  std::atomic<bool> used_{false};
};

/// Starts an exchange for a request whose header is in: the bookkeeping,
/// and the Beast-free request (without its body). Answers 400 and returns
/// false when the target is malformed.
bool session::begin_exchange(const bhttp::request<bhttp::string_body>& header,
                             http_request& request) {
  current_ = exchange{};
  current_.method = std::string{header.method_string()};
  current_.version = header.version();
  current_.keep_alive = header.keep_alive();
  current_.head = header.method() == bhttp::verb::head;
  current_.request_id = choose_request_id(to_std(header[request_id_header]));
  current_.origin = std::string{to_std(header[bhttp::field::origin])};
  current_.sequence = ++next_sequence_;
  start_request();

  request.method = current_.method;
  request.target = std::string{header.target()};
  request.request_id = current_.request_id;
  request.client_address = client_address_;
  for (const auto& field : header)
    request.headers.emplace_back(std::string{field.name_string()},
                                 std::string{field.value()});

  auto parts = split_target(request.target);
  if (parts.path.empty() || parts.path.front() != '/') {
    server_->metrics.rejected(rejection::bad_request);
    send(problem(400, "request target must be an absolute path"));
    return false;
  }
  auto path = percent_decode(parts.path);
  auto query = parse_query(parts.query);
  if (!path || !query) {
    server_->metrics.rejected(rejection::bad_request);
    send(problem(400, "malformed percent-encoding in the request target"));
    return false;
  }
  request.path = std::move(*path);
  request.query = std::move(*query);
  return true;
}

/// A responder bound to the current exchange.
responder session::make_responder(std::shared_ptr<reply_slot>& slot) {
  slot = std::make_shared<reply_slot>(shared_from_this(), current_.sequence);
  return [slot](http_response response) { slot->fire(std::move(response)); };
}

void session::dispatch_request() {
  stop_read_timer();
  transition(session_state::dispatched);
  auto message = parser_->release();
  http_request request;
  if (!begin_exchange(message, request))
    return;
  request.body = std::move(message.body());

  auto match = std::move(match_);
  switch (match.result) {
  case route_match::outcome::not_found:
    send(problem(404, "no route for " + request.method + " " + request.path));
    return;
  case route_match::outcome::method_not_allowed: {
    // A browser asking whether it may send a cross-origin request.
    if (request.method == "OPTIONS" && server_->cors.enabled() &&
        !request.header("Access-Control-Request-Method").empty()) {
      send(server_->cors.preflight(current_.origin, match.allow));
      return;
    }
    auto response =
        problem(405, "method " + request.method + " is not allowed for " +
                         request.path + " (allowed: " + match.allow + ")");
    response.headers.emplace_back("Allow", match.allow);
    send(std::move(response));
    return;
  }
  case route_match::outcome::found:
    break;
  }
  request.params = std::move(match.params);
  request.route = match.route;
  current_.route = std::move(match.route);

  std::shared_ptr<reply_slot> slot;
  auto reply = make_responder(slot);
  try {
    if (match.target)
      (*match.target)(std::move(request), std::move(reply));
    else
      slot->fire(problem(500, "streaming route reached without streaming"));
  } catch (const std::exception& e) {
    server_->log->error("handler for {} {} threw (request {}): {}",
                        current_.method, current_.route, current_.request_id,
                        e.what());
    slot->fire(problem(500, "the request handler failed"));
  } catch (...) {
    server_->log->error("handler for {} {} threw (request {})", current_.method,
                        current_.route, current_.request_id);
    slot->fire(problem(500, "the request handler failed"));
  }
}

void session::start_stream(const stream_handler& target) {
  // First: an answer from here on closes the connection, since the body is
  // not read.
  transition(session_state::streaming);
  http_request request;
  if (!begin_exchange(parser_->get(), request))
    return;
  auto match = std::move(match_);
  request.params = std::move(match.params);
  request.route = match.route;
  current_.route = std::move(match.route);

  auto length = parser_->content_length();
  if (length && *length > settings().max_import_bytes) {
    on_parse_error(bhttp::error::body_limit);
    return;
  }
  // Read on as the body arrives; the state stays "streaming" until the last
  // chunk is handed over.
  bool empty = parser_->is_done();
  if (!empty) {
    stream_parser_.emplace(std::move(*parser_));
    stream_parser_->body_limit(
        static_cast<uint64_t>(settings().max_import_bytes));
  }
  parser_.reset();
  body_.begin();

  std::shared_ptr<reply_slot> slot;
  auto reply = make_responder(slot);
  try {
    body_.attach(target(std::move(request), std::move(reply)));
  } catch (const std::exception& e) {
    server_->log->error("handler for {} {} threw (request {}): {}",
                        current_.method, current_.route, current_.request_id,
                        e.what());
    slot->fire(problem(500, "the request handler failed"));
  }
  std::weak_ptr<reply_slot> watch = slot;
  slot.reset();
  if (state_ != session_state::streaming)
    return; // answered at once (the response is being written)
  auto kept = watch.lock();
  if (!kept || kept->fired())
    return; // answered (or dropped) at once: neither read nor 100 Continue
  kept.reset();
  if (empty) {
    deliver_chunk(true);
    return;
  }
  arm_read_timer();
  parse_stream_input();
}

} // namespace internal

using namespace internal;

struct http_server::impl {
  impl(const config::http_settings& settings,
       std::shared_ptr<const router> routes, prometheus::Registry* registry)
      : state(std::make_shared<server_state>(settings, std::move(routes),
                                             registry)),
        io(std::max(1, settings.io_threads)),
        accept_strand(asio::make_strand(io)) {}

  std::shared_ptr<server_state> state;
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> accept_strand;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>>
      work;
  std::optional<tcp::acceptor> acceptor;   ///< on accept_strand
  std::optional<asio::steady_timer> retry; ///< on accept_strand
  std::vector<std::thread> threads;
  std::string where; ///< "address:port" as configured, for messages
  std::mutex lifecycle;
  bool started = false;
  bool stopped = false;

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        state->log->error("I/O thread caught an exception: {}", e.what());
      }
    }
  }

  bool on_io_thread() const {
    auto self = std::this_thread::get_id();
    return std::any_of(
        threads.begin(), threads.end(),
        [self](const std::thread& t) { return t.get_id() == self; });
  }

  void do_accept() {
    acceptor->async_accept(asio::make_strand(io),
                           [this](beast::error_code ec, tcp::socket socket) {
                             on_accept(ec, std::move(socket));
                           });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor ||
        !acceptor->is_open())
      return;
    if (ec) {
      state->log->warn("accept failed: {}", ec.message());
      retry->expires_after(accept_retry_delay);
      retry->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor && acceptor->is_open())
          do_accept();
      });
      return;
    }
    add_session(std::move(socket));
    do_accept();
  }

  void add_session(tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto fresh = std::make_shared<session>(std::move(socket), state);
    auto admission = connection_registry::admission::closed;
    {
      auto guard = state->connections.lock();
      admission = state->connections.admit_locked(fresh->membership(),
                                                  fresh->address_group());
      if (admission != connection_registry::admission::closed)
        state->sessions.emplace(fresh.get(), fresh);
    }
    // A session that was not admitted closes its socket as it goes; it
    // takes the registry's lock, so only once the lock above is released.
    if (admission == connection_registry::admission::closed)
      return;
    if (admission == connection_registry::admission::refused ||
        admission == connection_registry::admission::refused_for_address) {
      state->log->debug("refused a connection from {}: over {}",
                        fresh->address_group(),
                        admission == connection_registry::admission::refused
                            ? "http.max-connections"
                            : "http.max-connections-per-address");
      fresh->refuse(admission);
    } else {
      fresh->start();
    }
  }

  caf::error cannot_listen(const std::string& reason) {
    auto text = "http: cannot listen on " + where + ": " + reason;
    state->log->error("{}", text);
    return caf::make_error(caf::sec::cannot_open_port, std::move(text));
  }
};

http_server::http_server(const config::http_settings& settings,
                         std::shared_ptr<const router> routes,
                         prometheus::Registry* metrics)
    : impl_(std::make_unique<impl>(settings, std::move(routes), metrics)) {}

http_server::~http_server() {
  stop();
}

caf::expected<uint16_t> http_server::start() {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.lifecycle};
  if (d.started || d.stopped)
    return caf::make_error(caf::sec::runtime_error,
                           "http: the server was already started");
  const auto& settings = d.state->settings;
  d.where = settings.address + ":" + std::to_string(settings.port);
  beast::error_code ec;
  tcp::resolver resolver{d.io};
  auto endpoints = resolver.resolve(
      settings.address, std::to_string(settings.port),
      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    return d.cannot_listen(ec ? ec.message() : "address not found");
  auto endpoint = endpoints.begin()->endpoint();
  if (!settings.tls_cert.empty()) {
    std::string why;
    d.state->tls = make_tls_context(settings.tls_cert, settings.tls_key, why);
    if (!d.state->tls)
      return caf::make_error(caf::sec::cannot_open_port, std::move(why));
  }
  d.acceptor.emplace(d.accept_strand);
  d.acceptor->open(endpoint.protocol(), ec);
  if (!ec)
    d.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    d.acceptor->bind(endpoint, ec);
  if (!ec)
    d.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  uint16_t port = 0;
  if (!ec)
    port = d.acceptor->local_endpoint(ec).port();
  if (ec) {
    d.acceptor.reset();
    return d.cannot_listen(ec.message());
  }
  d.where = settings.address + ":" + std::to_string(port);
  d.retry.emplace(d.accept_strand);
  d.work.emplace(d.io.get_executor());
  asio::post(d.accept_strand, [&d] { d.do_accept(); });
  auto count = std::max(1, settings.io_threads);
  for (int i = 0; i < count; ++i)
    d.threads.emplace_back([&d] { d.run(); });
  d.started = true;
  d.state->log->info("listening on {} ({} I/O threads{})", d.where, count,
                     d.state->tls ? ", TLS" : "");
  return port;
}

void http_server::begin_drain() {
  auto& d = *impl_;
  std::vector<std::shared_ptr<session>> sessions;
  std::lock_guard<std::mutex> guard{d.lifecycle};
  if (!d.state->connections.begin_drain() || !d.started || d.stopped)
    return;
  {
    auto state_guard = d.state->connections.lock();
    for (auto& entry : d.state->sessions)
      if (auto s = entry.second.lock()) {
        s->post_drain_locked();
        sessions.push_back(std::move(s));
      }
  }
  auto closed = std::make_shared<std::promise<void>>();
  auto done = closed->get_future();
  asio::post(d.accept_strand, [&d, closed] {
    beast::error_code ignored;
    if (d.acceptor)
      d.acceptor->close(ignored);
    if (d.retry)
      d.retry->cancel();
    closed->set_value();
  });
  // The port is closed once this returns, unless called on an I/O thread,
  // where waiting could block the very thread that closes it.
  if (!d.on_io_thread())
    done.wait();
  d.state->log->info("draining: {} connections open, {} requests in flight",
                     d.state->connections.open(),
                     d.state->connections.in_flight());
}

bool http_server::wait_drained(std::chrono::milliseconds timeout) {
  return impl_->state->connections.wait_idle(timeout);
}

void http_server::stop() {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.lifecycle};
  if (d.stopped)
    return;
  d.stopped = true;
  {
    auto state_guard = d.state->connections.lock();
    d.state->connections.stop_locked();
  }
  if (!d.started)
    return;
  d.io.stop();
  for (auto& thread : d.threads)
    if (thread.joinable())
      thread.join();
  d.threads.clear();
  // No I/O thread runs from here on: close everything directly.
  beast::error_code ignored;
  if (d.acceptor)
    d.acceptor->close(ignored);
  d.acceptor.reset();
  d.retry.reset();
  std::vector<std::shared_ptr<session>> sessions;
  {
    auto state_guard = d.state->connections.lock();
    for (auto& entry : d.state->sessions)
      if (auto s = entry.second.lock()) {
        s->release_locked();
        sessions.push_back(std::move(s));
      }
    // Sessions being destroyed on other threads release their sockets
    // themselves; the io_context must outlive that.
    d.state->connections.wait_io_released(state_guard);
  }
  for (auto& s : sessions)
    s->release_stream();
  sessions.clear();
  d.work.reset();
  d.state->log->info("stopped listening on {}", d.where);
}

std::size_t http_server::in_flight() const {
  return impl_->state->connections.in_flight();
}

std::size_t http_server::open_connections() const {
  return impl_->state->connections.open();
}

} // namespace cdpd::net
