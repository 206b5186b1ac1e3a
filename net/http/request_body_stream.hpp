#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "net/http/http_message.hpp"

namespace cdpd::net {

/// Collects a streamed request body into chunks of a fixed size and hands
/// each to the handler's body_sink, so that memory stays one chunk however
/// large the body. The parser writes into free_space(); the connection
/// decides when to deliver (a full chunk, or the end of the body) and reads
/// on only when the sink asks for more.
class request_body_stream {
public:
  /// Called with the text of what a sink threw; the sink's failure is the
  /// handler's to report, the stream goes on as if it had returned.
  using error_reporter = std::function<void(std::string_view what)>;

  /// `chunk_size` bytes are collected before a chunk is handed over.
  request_body_stream(std::size_t chunk_size, error_reporter on_error);

  /// Starts a body with an empty chunk and no sink yet.
  void begin();

  /// Sets the sink the handler returned; an empty one discards the body.
  void attach(body_sink sink) { sink_ = std::move(sink); }

  /// Forgets the sink without telling it: the handler answered before the
  /// body was complete and wants no more of it.
  void detach() { sink_ = nullptr; }

  /// True while a sink waits for chunks.
  bool attached() const { return static_cast<bool>(sink_); }

  /// Where the parser may write the next body bytes.
  char* free_space() { return chunk_.data() + fill_; }

  /// How many bytes fit at free_space().
  std::size_t free_size() const { return chunk_.size() - fill_; }

  /// Records that the parser wrote `bytes` at free_space().
  void commit(std::size_t bytes);

  /// True when the chunk is full and must be delivered before more is read.
  bool full() const { return fill_ == chunk_.size(); }

  /// Bytes collected but not delivered yet.
  std::size_t pending() const { return fill_; }

  /// Hands what the chunk holds to the sink and starts a new chunk. After
  /// the last chunk the sink is forgotten; before it, `more` is what the
  /// sink calls to ask for the next one. Without a sink the bytes are
  /// dropped. Returns false when there was no sink.
  bool deliver(bool last, std::function<void()> more);

  /// Tells the sink that the rest of the body will not arrive, and forgets
  /// it; nothing happens without a sink.
  void abort();

private:
  void feed(const body_sink& sink, body_chunk chunk,
            std::function<void()> more);

  const std::size_t chunk_size_;
  const error_reporter on_error_;
  body_sink sink_;
  std::string chunk_;
  std::size_t fill_ = 0;
};

} // namespace cdpd::net
