#include "net/http/response_stream.hpp"

#include <atomic>
#include <exception>
#include <memory>

namespace cdpd::net {

void release_producer(body_producer producer,
                      const producer_error_reporter& on_error) {
  if (!producer)
    return;
  try {
    producer(nullptr);
  } catch (const std::exception& e) {
    if (on_error)
      on_error(e.what());
  } catch (...) {
    if (on_error)
      on_error({});
  }
}

response_stream::response_stream(producer_error_reporter on_error)
    : on_error_(std::move(on_error)) {}

response_stream::~response_stream() {
  release();
}

void response_stream::begin(int status, bool chunked, bool keep_alive,
                            body_producer producer) {
  release();
  producer_ = std::move(producer);
  status_ = status;
  chunked_ = chunked;
  keep_alive_ = keep_alive;
  last_ = false;
  unrecorded_ = true;
  std::string{}.swap(piece_);
}

bool response_stream::pull(arrival arrive) {
  if (!producer_)
    return false;
  auto ticket = ++ticket_;
  // Whatever the producer does with copies of `next`, one piece per pull.
  auto once = std::make_shared<std::atomic<bool>>(false);
  piece_sink next = [arrive = std::move(arrive), ticket,
                     once](body_chunk piece) {
    if (!once->exchange(true))
      arrive(ticket, std::move(piece));
  };
  try {
    producer_(std::move(next));
    return true;
  } catch (const std::exception& e) {
    if (on_error_)
      on_error_(e.what());
  } catch (...) {
    if (on_error_)
      on_error_({});
  }
  // A `next` the producer kept before it threw must not count any more.
  return once->exchange(true);
}

response_stream::verdict response_stream::accept(uint64_t ticket,
                                                 body_chunk& piece) {
  if (ticket != ticket_ || !producer_)
    return verdict::stale;
  if (piece.aborted) {
    // It failed by itself: nothing to tell it.
    producer_ = nullptr;
    return verdict::aborted;
  }
  last_ = piece.last;
  if (last_)
    producer_ = nullptr; // done: free what it holds now
  if (piece.data.empty() && !last_)
    return verdict::empty;
  piece_ = std::move(piece.data);
  return verdict::write;
}

void response_stream::drop_piece() {
  std::string{}.swap(piece_);
}

void response_stream::release() {
  auto producer = std::move(producer_);
  producer_ = nullptr;
  release_producer(std::move(producer), on_error_);
}

bool response_stream::take_unrecorded() {
  bool result = unrecorded_;
  unrecorded_ = false;
  return result;
}

} // namespace cdpd::net
