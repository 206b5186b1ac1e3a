#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// Rendezvous (highest random weight) placement: a key belongs to the
/// member whose hash of (member name, key) is highest. Every node that sees
/// the same members computes the same owner without talking to the others,
/// and a member joining or leaving moves only the keys it gains or loses
/// (about 1/n of them), unlike `hash % n`, which moves almost all.
/// Header-only, so that routes may show placement without linking the
/// cluster module.
namespace cdpd::actors::cluster {

/// FNV-1a over `member`, a zero byte and `key`, then a 64-bit finaliser
/// (splitmix64's): FNV alone spreads the last bytes of similar names
/// badly. Stable across builds and machines, unlike std::hash.
inline uint64_t rendezvous_weight(std::string_view member,
                                  std::string_view key) {
  uint64_t h = 14695981039346656037ull;
  auto feed = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (unsigned char c : member)
    feed(c);
  feed(0);
  for (unsigned char c : key)
    feed(c);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

/// The index in `members` of `key`'s owner; -1 when `members` is empty.
/// Ties (practically never) go to the smaller name, so the answer does not
/// depend on the order of `members`.
inline int rendezvous_owner(std::string_view key,
                            const std::vector<std::string>& members) {
  int best = -1;
  uint64_t best_weight = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto w = rendezvous_weight(members[i], key);
    if (best < 0 || w > best_weight ||
        (w == best_weight &&
         members[i] < members[static_cast<std::size_t>(best)])) {
      best = static_cast<int>(i);
      best_weight = w;
    }
  }
  return best;
}

} // namespace cdpd::actors::cluster
