#include "storage/redis_client.hpp"

#include <csignal>
#include <mutex>

#include <hiredis/hiredis.h>

#include "storage/errc.hpp"

namespace cdpd::storage {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

void ignore_sigpipe_once() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 &&
        current.sa_handler == SIG_DFL)
      std::signal(SIGPIPE, SIG_IGN);
  });
}

redis_reply convert(const redisReply* r) {
  switch (r->type) {
  case REDIS_REPLY_STATUS:
    return redis_reply::status({r->str, r->len});
  case REDIS_REPLY_STRING:
    return redis_reply::string({r->str, r->len});
  case REDIS_REPLY_INTEGER:
    return redis_reply::number(r->integer);
  case REDIS_REPLY_ERROR:
    return redis_reply::error({r->str, r->len});
  case REDIS_REPLY_ARRAY: {
    std::vector<redis_reply> items;
    items.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i)
      items.push_back(convert(r->element[i]));
    return redis_reply::array(std::move(items));
  }
  default:
    return redis_reply::nil();
  }
}

struct reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};

} // namespace

void redis_client::context_deleter::operator()(
    redisContext* ctx) const noexcept {
  redisFree(ctx);
}

redis_client::redis_client(redis_endpoint endpoint,
                           std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {
  ignore_sigpipe_once();
}

redis_client::~redis_client() = default;
redis_client::redis_client(redis_client&&) noexcept = default;
redis_client& redis_client::operator=(redis_client&&) noexcept = default;

std::string redis_client::where() const {
  if (endpoint_.host.find(':') != std::string::npos)
    return "[" + endpoint_.host + "]:" + std::to_string(endpoint_.port);
  return endpoint_.host + ":" + std::to_string(endpoint_.port);
}

caf::error redis_client::ensure_connected() {
  if (ctx_)
    return {};
  auto now = std::chrono::steady_clock::now();
  if (last_failed_connect_ && now - *last_failed_connect_ < reconnect_interval)
    return make_error(errc::redis_unavailable,
                      "Redis at " + where() + " is unavailable (" +
                          last_failure_ + "); next connect attempt within " +
                          std::to_string(reconnect_interval.count()) + " ms");
  auto fail = [&](errc code, std::string reason) {
    ctx_.reset();
    last_failed_connect_ = now;
    last_failure_ = reason;
    return make_error(code, "cannot connect to Redis at " + where() + ": " +
                                reason + "; check redis.url");
  };
  std::unique_ptr<redisContext, context_deleter> ctx{redisConnectWithTimeout(
      endpoint_.host.c_str(), endpoint_.port, to_timeval(timeout_))};
  if (!ctx)
    return fail(errc::redis_unavailable, "out of memory");
  if (ctx->err != 0)
    return fail(errc::redis_unavailable, ctx->errstr);
  if (redisSetTimeout(ctx.get(), to_timeval(timeout_)) != REDIS_OK)
    return fail(errc::redis_unavailable, "cannot set the socket timeout");
  ctx_ = std::move(ctx);
  if (!endpoint_.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!endpoint_.username.empty())
      auth.push_back(endpoint_.username);
    auth.push_back(endpoint_.password);
    auto reply = send(auth);
    if (!reply)
      return fail(errc::redis_unavailable, describe(reply.error()));
    if (reply->is_error())
      return fail(errc::redis_error, "AUTH refused: " + reply->str);
  }
  if (endpoint_.db != 0) {
    auto reply = send({"SELECT", std::to_string(endpoint_.db)});
    if (!reply)
      return fail(errc::redis_unavailable, describe(reply.error()));
    if (reply->is_error())
      return fail(errc::redis_error, "SELECT " + std::to_string(endpoint_.db) +
                                         " refused: " + reply->str);
  }
  last_failed_connect_.reset();
  return {};
}

caf::expected<redis_reply>
redis_client::send(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  std::unique_ptr<redisReply, reply_deleter> reply{static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(),
                       lengths.data()))};
  if (!reply) {
    std::string reason = ctx_->errstr;
    // The connection's state is unknown after an I/O error: start afresh.
    ctx_.reset();
    return make_error(errc::redis_unavailable,
                      "lost the Redis connection to " + where() + " (timeout " +
                          std::to_string(timeout_.count()) + " ms): " + reason);
  }
  return convert(reply.get());
}

caf::expected<redis_reply>
redis_client::command(const std::vector<std::string>& argv) {
  if (argv.empty())
    return make_error(errc::redis_error, "empty Redis command");
  if (auto err = ensure_connected())
    return err;
  auto reply = send(argv);
  if (reply && reply->is_error())
    return make_error(errc::redis_error,
                      "Redis refused " + argv.front() + ": " + reply->str);
  return reply;
}

caf::expected<std::string> redis_client::ping() {
  auto reply = command({"PING"});
  if (!reply)
    return std::move(reply.error());
  return reply->str;
}

} // namespace cdpd::storage
