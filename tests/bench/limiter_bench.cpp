// Round-trip time of one rate-limit check through the limiter region: the
// caller sends a request and waits for its verdict callback, as the HTTP
// edge does. Two caller threads, each with its own keys; hosts either
// registered directly or reached through their child proxies under a
// supervisor (as in production). Prints figures; never fails on time.
//
// A second part asks the way the HTTP edge does on an idle server: one
// caller, a pause between checks (the rest of a request), so CAF's workers
// have gone idle when a check arrives. It compares the scheduler's idle
// strategies (see scheduler_idle in apps/cdpd/node.cpp): what a check costs
// is mostly how fast an idle worker notices new work.
//
// usage: limiter_bench [requests per thread, default 100000]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/supervision/supervisor.hpp"

namespace {

using namespace cdpd::actors;
using namespace cdpd::actors::limits;
using bench_clock = std::chrono::steady_clock;

constexpr int hosts = 4;
constexpr int threads = 2;
constexpr int keys_per_thread = 1000;

/// One caller: sends a request, waits for its verdict, records the time.
std::vector<double> run_caller(const limiter_region& region, int thread,
                               int requests) {
  std::vector<rate> rates{
      {"general-per-hour", 1'000'000'000, std::chrono::hours{1}},
      {"general-per-minute", 100'000'000, std::chrono::minutes{1}}};
  std::vector<std::string> keys;
  for (int k = 0; k < keys_per_thread; ++k)
    keys.push_back("ip:bench-" + std::to_string(thread) + "-" +
                   std::to_string(k));
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(requests));
  std::atomic<uint64_t> answered{0};
  for (int i = 0; i < requests; ++i) {
    limit_request request;
    request.key = keys[static_cast<std::size_t>(i % keys_per_thread)];
    request.rates = rates;
    request.done = [&answered](const verdict&) {
      answered.fetch_add(1);
      answered.notify_one();
    };
    auto start = bench_clock::now();
    region.check(std::move(request));
    auto want = static_cast<uint64_t>(i) + 1;
    for (auto seen = answered.load(); seen < want; seen = answered.load())
      answered.wait(seen);
    micros.push_back(
        std::chrono::duration<double, std::micro>(bench_clock::now() - start)
            .count());
  }
  return micros;
}

void report(const char* mode, std::vector<double> micros, double seconds) {
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[static_cast<std::size_t>(q * (micros.size() - 1))];
  };
  std::printf("%-11s %8zu checks  median %7.1f us  p90 %7.1f us  p99 %7.1f "
              "us  max %8.1f us  %9.0f checks/s\n",
              mode, micros.size(), at(0.5), at(0.9), at(0.99), micros.back(),
              static_cast<double>(micros.size()) / seconds);
}

void measure(caf::actor_system& sys, const char* mode, int requests) {
  limiter_region region{sys, hosts};
  // Warm-up: spawn every key's limiter before timing.
  run_caller(region, 0, keys_per_thread);
  run_caller(region, 1, keys_per_thread);
  std::vector<std::vector<double>> results(threads);
  auto start = bench_clock::now();
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t)
    callers.emplace_back(
        [&, t] { results[t] = run_caller(region, t, requests); });
  for (auto& caller : callers)
    caller.join();
  auto seconds =
      std::chrono::duration<double>(bench_clock::now() - start).count();
  std::vector<double> all;
  for (auto& r : results)
    all.insert(all.end(), r.begin(), r.end());
  report(mode, std::move(all), seconds);
}

void direct(int requests) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  limiter_options options;
  options.hosts = hosts;
  std::vector<caf::actor> started;
  for (int i = 0; i < hosts; ++i) {
    started.push_back(
        caf::actor_cast<caf::actor>(spawn_limiter_host(sys, i, options)));
    sys.registry().put(caf::atom_from_string(limiter_host_name(i)),
                       caf::actor_cast<caf::strong_actor_ptr>(started.back()));
  }
  measure(sys, "direct", requests);
  for (int i = 0; i < hosts; ++i) {
    sys.registry().erase(caf::atom_from_string(limiter_host_name(i)));
    caf::anon_send_exit(started[static_cast<std::size_t>(i)],
                        caf::exit_reason::user_shutdown);
  }
}

void supervised(int requests) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  limiter_options options;
  options.hosts = hosts;
  supervisor_spec spec;
  spec.name = "limits";
  for (int i = 0; i < hosts; ++i) {
    child_spec child;
    child.name = limiter_host_name(i);
    child.kind = "limiter-host";
    child.start = [i, options](caf::actor_system& s) {
      return caf::actor_cast<caf::actor>(spawn_limiter_host(s, i, options));
    };
    spec.children.push_back(std::move(child));
  }
  auto supervisor = spawn_supervisor(sys, std::move(spec));
  measure(sys, "supervised", requests);
  caf::scoped_actor self{sys};
  self->request(supervisor, std::chrono::seconds{10}, shutdown_atom::value)
      .receive([] {},
               [&](caf::error& err) {
                 std::fprintf(stderr, "shutdown: %s\n",
                              sys.render(err).c_str());
               });
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

/// One way for idle workers to wait for work.
struct idle_strategy {
  const char* name;
  size_t moderate_attempts;    ///< CAF default 500
  caf::timespan relaxed_sleep; ///< CAF default 10 ms
};

/// One caller with `gap` between checks, on a system whose workers wait as
/// `idle` says.
void paced(const idle_strategy& idle, int requests,
           std::chrono::microseconds gap) {
  caf::actor_system_config cfg;
  cfg.set("work-stealing.moderate-poll-attempts", idle.moderate_attempts);
  cfg.set("work-stealing.relaxed-sleep-duration", idle.relaxed_sleep);
  {
    caf::actor_system sys{cfg};
    limiter_options options;
    options.hosts = hosts;
    std::vector<caf::actor> started;
    for (int i = 0; i < hosts; ++i) {
      started.push_back(
          caf::actor_cast<caf::actor>(spawn_limiter_host(sys, i, options)));
      sys.registry().put(
          caf::atom_from_string(limiter_host_name(i)),
          caf::actor_cast<caf::strong_actor_ptr>(started.back()));
    }
    limiter_region region{sys, hosts};
    run_caller(region, 0, keys_per_thread);
    std::vector<double> micros;
    std::atomic<uint64_t> answered{0};
    auto cpu_before = cpu_seconds();
    auto wall_before = bench_clock::now();
    for (int i = 0; i < requests; ++i) {
      std::this_thread::sleep_for(gap);
      limit_request request;
      request.key = "ip:bench-0-" + std::to_string(i % keys_per_thread);
      request.rates = {
          {"general-per-minute", 100'000'000, std::chrono::minutes{1}}};
      request.done = [&answered](const verdict&) {
        answered.fetch_add(1);
        answered.notify_one();
      };
      auto start = bench_clock::now();
      region.check(std::move(request));
      auto want = static_cast<uint64_t>(i) + 1;
      for (auto seen = answered.load(); seen < want; seen = answered.load())
        answered.wait(seen);
      micros.push_back(
          std::chrono::duration<double, std::micro>(bench_clock::now() - start)
              .count());
    }
    auto wall =
        std::chrono::duration<double>(bench_clock::now() - wall_before).count();
    auto cpu = cpu_seconds() - cpu_before;
    report(idle.name, std::move(micros), wall);
    // What waiting costs when nothing happens at all.
    auto idle_cpu_before = cpu_seconds();
    std::this_thread::sleep_for(std::chrono::seconds{2});
    auto idle_cpu = (cpu_seconds() - idle_cpu_before) / 2.0;
    std::printf("%-11s process CPU: %.0f%% of one core while checking, %.1f%% "
                "idle\n",
                idle.name, 100.0 * cpu / wall, 100.0 * idle_cpu);
    for (int i = 0; i < hosts; ++i) {
      sys.registry().erase(caf::atom_from_string(limiter_host_name(i)));
      caf::anon_send_exit(started[static_cast<std::size_t>(i)],
                          caf::exit_reason::user_shutdown);
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  int requests = argc > 1 ? std::atoi(argv[1]) : 100'000;
  if (requests <= 0) {
    std::fprintf(stderr, "usage: limiter_bench [requests per thread]\n");
    return 2;
  }
  std::printf("limiter round trips: %d threads x %d checks, %d hosts, %d "
              "keys per thread, 2 rates per check, %u hardware threads\n",
              threads, requests, hosts, keys_per_thread,
              std::thread::hardware_concurrency());
  direct(requests);
  supervised(requests);
  auto gap = std::chrono::microseconds{200};
  std::printf("\none caller, %lld us between checks (an idle edge):\n",
              static_cast<long long>(gap.count()));
  using std::chrono::milliseconds;
  for (const auto& idle : {
           idle_strategy{"caf-default", 500, milliseconds{10}},
           idle_strategy{"cdpd", 0, milliseconds{1}},
       })
    paced(idle, requests / 10, gap);
  return 0;
}
