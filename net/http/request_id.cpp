#include "net/http/request_id.hpp"

#include <cstdint>
#include <random>

namespace cdpd::net {

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > max_request_id_length)
    return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e)
      return false;
  return true;
}

std::string generate_request_id() {
  // One engine per thread: no locking on the request path.
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64{seed};
  }()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = engine();
    for (int i = 0; i < 16; ++i) {
      id[half * 16 + i] = digits[bits & 0xf];
      bits >>= 4;
    }
  }
  return id;
}

std::string choose_request_id(std::string_view incoming) {
  if (acceptable_request_id(incoming))
    return std::string{incoming};
  return generate_request_id();
}

} // namespace cdpd::net
