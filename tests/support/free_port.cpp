#include "tests/support/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace cdpd::test {

namespace {

bool can_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

} // namespace

uint16_t free_port() {
  // Random start so parallel test processes rarely probe the same ports.
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> dist(20000, 32000);
  for (int i = 0; i < 500; ++i) {
    auto port = static_cast<uint16_t>(dist(rng));
    if (can_bind(port))
      return port;
  }
  throw std::runtime_error("no free loopback port in 20000-32000");
}

} // namespace cdpd::test
