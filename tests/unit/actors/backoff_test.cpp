// Restart delays: growth by the factor, jitter bounds, the cap.
#include <gtest/gtest.h>

#include "actors/supervision/backoff.hpp"

using namespace cdpd::actors;
using namespace std::chrono_literals;

namespace {

backoff_policy policy() {
  backoff_policy p;
  p.min = 100ms;
  p.max = 5s;
  p.factor = 2.0;
  p.jitter = 0.5;
  return p;
}

} // namespace

TEST(Backoff, GrowsByTheFactorWithoutJitter) {
  auto p = policy();
  EXPECT_EQ(backoff_delay(p, 0, 0.0), 100ms);
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 200ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.0), 400ms);
  EXPECT_EQ(backoff_delay(p, 5, 0.0), 3200ms);
  p.factor = 1.5;
  EXPECT_EQ(backoff_delay(p, 2, 0.0), 225ms);
}

TEST(Backoff, JitterStaysWithinItsShare) {
  auto p = policy();
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto base = backoff_delay(p, attempt, 0.0);
    for (double r : {0.0, 0.1, 0.5, 0.9, 0.999}) {
      auto d = backoff_delay(p, attempt, r);
      EXPECT_GE(d, base);
      EXPECT_LE(d.count(), base.count() * 3 / 2) << attempt << " " << r;
    }
  }
  EXPECT_EQ(backoff_delay(p, 1, 0.5), 250ms);
}

TEST(Backoff, CapsAtMaxEvenWithJitterAndHugeAttempts) {
  auto p = policy();
  EXPECT_EQ(backoff_delay(p, 6, 0.0), 5s);
  EXPECT_EQ(backoff_delay(p, 5, 0.999), 4798ms); // 3200 * 1.4995
  EXPECT_EQ(backoff_delay(p, 6, 0.999), 5s);
  EXPECT_EQ(backoff_delay(p, 1'000'000, 0.7), 5s);
}

TEST(Backoff, FactorOneIsAFixedDelay) {
  auto p = policy();
  p.factor = 1.0;
  p.jitter = 0.0;
  for (int attempt = 0; attempt < 10; ++attempt)
    EXPECT_EQ(backoff_delay(p, attempt, 0.9), 100ms);
}
