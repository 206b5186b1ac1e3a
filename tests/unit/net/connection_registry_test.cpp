#include "net/http/connection_registry.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace cdpd::net {
namespace {

using admission = connection_registry::admission;
using membership = connection_registry::membership;
using namespace std::chrono_literals;

std::string scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer{}.Serialize(registry.Collect());
}

admission admit(connection_registry& registry, membership& member,
                const std::string& address = "192.0.2.1") {
  auto guard = registry.lock();
  return registry.admit_locked(member, address);
}

void release(connection_registry& registry, membership& member) {
  auto guard = registry.lock();
  registry.finish_request_locked(member);
  registry.release_connection_locked(member);
  registry.release_io_locked(member);
}

TEST(connection_registry, refuses_beyond_the_limit_without_counting) {
  http_metrics metrics{nullptr};
  connection_registry registry{2, 0, metrics};
  membership a, b, c;
  EXPECT_EQ(admit(registry, a), admission::accepted);
  EXPECT_EQ(admit(registry, b), admission::accepted);
  EXPECT_EQ(admit(registry, c), admission::refused);
  EXPECT_EQ(registry.open(), 2u);
  EXPECT_TRUE(a.counted());
  EXPECT_FALSE(c.counted());
  // A refused connection still owns a socket that stop() must wait for.
  EXPECT_TRUE(c.owns_io());
  release(registry, a);
  EXPECT_EQ(registry.open(), 1u);
  membership d;
  EXPECT_EQ(admit(registry, d), admission::accepted);
  EXPECT_EQ(registry.open(), 2u);
}

TEST(connection_registry, caps_each_address_and_frees_its_places) {
  http_metrics metrics{nullptr};
  connection_registry registry{10, 2, metrics};
  membership a, b, c, other, d;
  EXPECT_EQ(admit(registry, a, "192.0.2.1"), admission::accepted);
  EXPECT_EQ(admit(registry, b, "192.0.2.1"), admission::accepted);
  EXPECT_EQ(admit(registry, c, "192.0.2.1"), admission::refused_for_address);
  EXPECT_FALSE(c.counted());
  EXPECT_TRUE(c.owns_io());
  // Another address has places of its own.
  EXPECT_EQ(admit(registry, other, "2001:db8::/64"), admission::accepted);
  EXPECT_EQ(registry.open(), 3u);
  // Refused connections give back nothing they did not take.
  release(registry, c);
  EXPECT_EQ(admit(registry, d, "192.0.2.1"), admission::refused_for_address);
  release(registry, a);
  membership e;
  EXPECT_EQ(admit(registry, e, "192.0.2.1"), admission::accepted);
  EXPECT_EQ(registry.open(), 3u);
}

TEST(connection_registry, no_cap_per_address_when_zero) {
  http_metrics metrics{nullptr};
  connection_registry registry{3, 0, metrics};
  membership a, b, c, d;
  EXPECT_EQ(admit(registry, a), admission::accepted);
  EXPECT_EQ(admit(registry, b), admission::accepted);
  EXPECT_EQ(admit(registry, c), admission::accepted);
  EXPECT_EQ(admit(registry, d), admission::refused);
}

TEST(connection_registry, a_zero_limit_still_admits_one) {
  http_metrics metrics{nullptr};
  connection_registry registry{0, 0, metrics};
  membership a, b;
  EXPECT_EQ(registry.limit(), 1u);
  EXPECT_EQ(admit(registry, a), admission::accepted);
  EXPECT_EQ(admit(registry, b), admission::refused);
}

TEST(connection_registry, releases_each_share_once) {
  http_metrics metrics{nullptr};
  connection_registry registry{10, 0, metrics};
  membership a, b;
  admit(registry, a);
  admit(registry, b);
  registry.start_request(a);
  registry.start_request(a);
  registry.start_request(b);
  EXPECT_EQ(registry.in_flight(), 2u);
  registry.finish_request(a);
  registry.finish_request(a);
  EXPECT_EQ(registry.in_flight(), 1u);
  auto guard = registry.lock();
  registry.release_connection_locked(a);
  registry.release_connection_locked(a);
  EXPECT_TRUE(registry.release_io_locked(a));
  EXPECT_FALSE(registry.release_io_locked(a));
  guard.unlock();
  EXPECT_EQ(registry.open(), 1u);
  EXPECT_FALSE(a.counted());
  EXPECT_FALSE(a.owns_io());
  EXPECT_TRUE(b.in_flight());
}

TEST(connection_registry, drains_and_stops) {
  http_metrics metrics{nullptr};
  connection_registry registry{10, 0, metrics};
  membership a, b, c;
  EXPECT_EQ(admit(registry, a), admission::accepted);
  EXPECT_FALSE(registry.draining());
  EXPECT_TRUE(registry.begin_drain());
  EXPECT_FALSE(registry.begin_drain());
  EXPECT_TRUE(registry.draining());
  EXPECT_EQ(admit(registry, b), admission::closed);
  EXPECT_FALSE(b.owns_io());
  {
    auto guard = registry.lock();
    EXPECT_TRUE(registry.liveness_locked());
    registry.stop_locked();
    EXPECT_FALSE(registry.liveness_locked());
  }
  EXPECT_EQ(admit(registry, c), admission::closed);
  EXPECT_EQ(registry.open(), 1u);
}

TEST(connection_registry, stop_alone_also_refuses) {
  http_metrics metrics{nullptr};
  connection_registry registry{10, 0, metrics};
  {
    auto guard = registry.lock();
    registry.stop_locked();
  }
  EXPECT_TRUE(registry.draining());
  membership a;
  EXPECT_EQ(admit(registry, a), admission::closed);
}

TEST(connection_registry, wait_idle_times_out_while_a_request_is_in_flight) {
  http_metrics metrics{nullptr};
  connection_registry registry{10, 0, metrics};
  EXPECT_TRUE(registry.wait_idle(0ms));
  membership a;
  admit(registry, a);
  registry.start_request(a);
  EXPECT_FALSE(registry.wait_idle(20ms));
}

TEST(connection_registry, wait_idle_wakes_when_the_last_request_ends) {
  http_metrics metrics{nullptr};
  connection_registry registry{10, 0, metrics};
  membership a;
  admit(registry, a);
  registry.start_request(a);
  std::thread finisher{[&] {
    std::this_thread::sleep_for(10ms);
    registry.finish_request(a);
  }};
  EXPECT_TRUE(registry.wait_idle(10s));
  finisher.join();
  EXPECT_EQ(registry.in_flight(), 0u);
}

TEST(connection_registry, wait_io_released_waits_for_every_socket) {
  http_metrics metrics{nullptr};
  connection_registry registry{1, 0, metrics};
  membership a, refused;
  admit(registry, a);
  EXPECT_EQ(admit(registry, refused), admission::refused);
  std::thread closer{[&] {
    release(registry, a);
    release(registry, refused);
  }};
  auto guard = registry.lock();
  registry.wait_io_released(guard);
  guard.unlock();
  closer.join();
  EXPECT_FALSE(a.owns_io());
  EXPECT_FALSE(refused.owns_io());
}

TEST(connection_registry, keeps_the_gauges) {
  prometheus::Registry prom;
  http_metrics metrics{&prom};
  connection_registry registry{1, 0, metrics};
  membership a, b;
  admit(registry, a);
  admit(registry, b); // refused: not in the gauge
  registry.start_request(a);
  auto text = scrape(prom);
  EXPECT_NE(text.find("cdpd_http_connections_open 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("cdpd_http_requests_in_flight 1"), std::string::npos)
      << text;
  release(registry, a);
  release(registry, a);
  text = scrape(prom);
  EXPECT_NE(text.find("cdpd_http_connections_open 0"), std::string::npos)
      << text;
  EXPECT_NE(text.find("cdpd_http_requests_in_flight 0"), std::string::npos)
      << text;
}

} // namespace
} // namespace cdpd::net
