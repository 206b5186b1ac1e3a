#include "net/http/request_body_stream.hpp"

#include <cassert>
#include <exception>

namespace cdpd::net {

request_body_stream::request_body_stream(std::size_t chunk_size,
                                         error_reporter on_error)
    : chunk_size_(chunk_size), on_error_(std::move(on_error)) {
  assert(chunk_size_ > 0);
}

void request_body_stream::begin() {
  sink_ = nullptr;
  chunk_.assign(chunk_size_, '\0');
  fill_ = 0;
}

void request_body_stream::commit(std::size_t bytes) {
  assert(bytes <= free_size());
  fill_ += bytes;
}

bool request_body_stream::deliver(bool last, std::function<void()> more) {
  std::string data = std::move(chunk_);
  data.resize(fill_);
  fill_ = 0;
  chunk_.assign(chunk_size_, '\0');
  body_sink sink = sink_;
  if (last)
    sink_ = nullptr;
  if (!sink)
    return false;
  if (last)
    more = nullptr;
  feed(sink, body_chunk{std::move(data), last, false}, std::move(more));
  return true;
}

void request_body_stream::abort() {
  if (!sink_)
    return;
  auto sink = std::move(sink_);
  sink_ = nullptr;
  feed(sink, body_chunk{{}, false, true}, [] {});
}

void request_body_stream::feed(const body_sink& sink, body_chunk chunk,
                               std::function<void()> more) {
  try {
    sink(std::move(chunk), std::move(more));
  } catch (const std::exception& e) {
    if (on_error_)
      on_error_(e.what());
  }
}

} // namespace cdpd::net
