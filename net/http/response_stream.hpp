#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "net/http/http_message.hpp"

namespace cdpd::net {

/// Called with the text of what a body producer threw (empty when it threw
/// something other than a std::exception).
using producer_error_reporter = std::function<void(std::string_view what)>;

/// Tells a producer that nothing more is wanted: calls it once with an
/// empty `next` so it frees what it holds. Does nothing for an empty
/// producer; what it throws goes to `on_error`.
void release_producer(body_producer producer,
                      const producer_error_reporter& on_error);

/// The bookkeeping of one streamed response body: who produces it, which
/// piece was asked for last, how it is framed, and whether it was counted.
/// The connection pulls a piece only after the previous one was written,
/// which is all the backpressure a slow client needs. Not thread-safe: the
/// producer's answers arrive through the callback given to pull(), which
/// the connection moves onto its own thread first.
class response_stream {
public:
  /// What accept() made of a piece.
  enum class verdict {
    stale,   ///< not the piece asked for last (or the stream ended): ignore
    aborted, ///< the producer failed: end the connection, not the body
    empty,   ///< nothing to write yet: pull again
    write,   ///< write piece(); last() tells whether the body then ends
  };

  /// Called by the producer's `next` (at most once per pull), from any
  /// thread, with the ticket of that pull.
  using arrival = std::function<void(uint64_t ticket, body_chunk piece)>;

  explicit response_stream(producer_error_reporter on_error);

  ~response_stream();

  response_stream(const response_stream&) = delete;
  response_stream& operator=(const response_stream&) = delete;

  /// Starts a response with this status; `chunked` frames the body in
  /// chunks (HTTP/1.1), otherwise the end of the connection ends it. An
  /// empty producer streams no body (HEAD). A previous producer is
  /// released first.
  void begin(int status, bool chunked, bool keep_alive, body_producer producer);

  /// True while the producer is held: the body has not ended.
  bool producing() const { return static_cast<bool>(producer_); }

  /// The response's status.
  int status() const { return status_; }

  /// True when the body is framed in chunks.
  bool chunked() const { return chunked_; }

  /// True when the connection stays open after the body.
  bool keep_alive() const { return keep_alive_; }

  /// The ticket of the last pull.
  uint64_t ticket() const { return ticket_; }

  /// Asks the producer for the next piece, which arrives through `arrive`.
  /// Returns false when the producer threw instead; its `next` is then
  /// void, and the caller should treat the piece as aborted.
  bool pull(arrival arrive);

  /// Judges a piece that arrived for `ticket`. For `write`, the piece's
  /// bytes move to piece(); after the last piece or an aborted one the
  /// producer is let go without being called again.
  verdict accept(uint64_t ticket, body_chunk& piece);

  /// The bytes being written, valid until the next accept().
  const std::string& piece() const { return piece_; }

  /// True when piece() ends the body.
  bool last() const { return last_; }

  /// Frees the memory of the piece written last.
  void drop_piece();

  /// Tells the producer, if still held, that nothing more is wanted.
  void release();

  /// True once per begin(), for counting the response when its body ended
  /// or broke off, so that its latency covers the whole transfer.
  bool take_unrecorded();

private:
  const producer_error_reporter on_error_;
  body_producer producer_;
  std::string piece_;
  uint64_t ticket_ = 0;
  int status_ = 0;
  bool chunked_ = false;
  bool keep_alive_ = false;
  bool last_ = false;
  bool unrecorded_ = false;
};

} // namespace cdpd::net
