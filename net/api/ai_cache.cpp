#include "net/api/ai_cache.hpp"

#include <array>
#include <cctype>
#include <iterator>
#include <vector>

#include <caf/all.hpp>
#include <openssl/evp.h>

#include "actors/ask.hpp"
#include "actors/atoms.hpp"
#include "actors/storage/redis_actor.hpp"

namespace cdpd::net::api {

namespace {

/// Memory entries kept at most; past it the expired go, then all.
constexpr std::size_t memory_cap = 10'000;

/// A Redis lookup longer than this is a miss: the cache must not make an
/// answer slower than asking again.
constexpr std::chrono::milliseconds redis_timeout{500};

std::string normalised(std::string_view text) {
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::string sha256_hex(const std::string& text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

caf::actor redis_actor(caf::actor_system& sys) {
  return caf::actor_cast<caf::actor>(sys.registry().get(caf::atom("redis")));
}

} // namespace

ai_answer_cache::ai_answer_cache(caf::actor_system& sys,
                                 std::chrono::milliseconds ttl, bool redis)
    : sys_(sys), ttl_(ttl), redis_(redis) {}

std::string ai_answer_cache::key(std::string_view route,
                                 std::string_view prompt,
                                 std::string_view model) {
  std::string text{route};
  text += '\0';
  text += model;
  text += '\0';
  text += normalised(prompt);
  return "cdpd:ai:" + sha256_hex(text);
}

void ai_answer_cache::get(
    const std::string& key,
    std::function<void(std::optional<std::string>)> done) {
  if (ttl_.count() <= 0)
    return done(std::nullopt);
  if (redis_) {
    auto redis = redis_actor(sys_);
    if (!redis)
      return done(std::nullopt);
    actors::ask(
        sys_, redis, caf::duration{redis_timeout},
        [done](storage::redis_reply& reply) {
          if (reply.type == storage::redis_reply::kind::string)
            done(std::move(reply.str));
          else
            done(std::nullopt);
        },
        [done](caf::error&) { done(std::nullopt); }, actors::redis_atom::value,
        std::vector<std::string>{"GET", key});
    return;
  }
  std::optional<std::string> found;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    auto it = memory_.find(key);
    if (it != memory_.end()) {
      if (it->second.expires > clock::now())
        found = it->second.answer;
      else
        memory_.erase(it);
    }
  }
  done(std::move(found));
}

void ai_answer_cache::put(const std::string& key, std::string answer) {
  if (ttl_.count() <= 0)
    return;
  if (redis_) {
    if (auto redis = redis_actor(sys_))
      caf::anon_send(redis, actors::redis_atom::value,
                     std::vector<std::string>{"SET", key, std::move(answer),
                                              "PX",
                                              std::to_string(ttl_.count())});
    return;
  }
  std::lock_guard<std::mutex> lock{mutex_};
  auto now = clock::now();
  if (memory_.size() >= memory_cap) {
    for (auto it = memory_.begin(); it != memory_.end();)
      it = it->second.expires <= now ? memory_.erase(it) : std::next(it);
    if (memory_.size() >= memory_cap)
      memory_.clear();
  }
  memory_[key] = entry{std::move(answer), now + ttl_};
}

} // namespace cdpd::net::api
