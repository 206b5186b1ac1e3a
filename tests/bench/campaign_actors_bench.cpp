// 1,000 live campaigns on one node: what their actors cost and how fast a
// status change and a start are. Against a real PostgreSQL (CDPD_TEST_PG,
// as the integration tests), durable as deployed. Prints figures; never
// fails on time.
//
// 1. Status changes (pause, resume) through the campaign host and actors,
//    against the same changes made as the API made them before campaign
//    actors: one db job on the write db actor (domain::set_campaign_status,
//    which also reads the campaign back).
// 2. Memory and idle CPU of the host with its actors, all waiting for a
//    start a month ahead.
// 3. Start accuracy: campaigns due 2 to 6 s ahead, how late each started.
//
// usage: campaign_actors_bench [campaigns, default 1000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <pqxx/pqxx>

#include "actors/campaigns/campaign_host.hpp"
#include "actors/domain/campaign_work.hpp"
#include "actors/storage/db_actor.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"

namespace {

using namespace std::chrono_literals;
using bench_clock = std::chrono::steady_clock;
namespace live = cdpd::actors::campaigns;
namespace domain = cdpd::actors::domain;

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

long rss_kb() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::vector<std::string> ids_of(cdpd::test::delivery_test_db& db,
                                const std::string& where) {
  std::vector<std::string> out;
  pqxx::work tx{db.conn()};
  for (const auto& row :
       tx.exec("SELECT id FROM campaigns WHERE " + where + " ORDER BY id"))
    out.push_back(row[0].as<std::string>());
  tx.commit();
  return out;
}

void print(const char* what, const std::vector<double>& ms) {
  std::printf("%-44s p50 %7.2f ms   p99 %7.2f ms   (%zu)\n", what,
              percentile(ms, 0.5), percentile(ms, 0.99), ms.size());
}

} // namespace

int main(int argc, char** argv) {
  int campaigns = argc > 1 ? std::atoi(argv[1]) : 1000;
  cdpd::test::delivery_test_db db;
  db.add_customers(10, "CA");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
  db.scalar("INSERT INTO campaigns (segment_id, flow_id, name, status,"
            " start_date) SELECT '" +
            segment + "', '" + flow +
            "', 'bench ' || i, 'active', (now() AT TIME ZONE 'utc')::date"
            " + 30 FROM generate_series(1, " +
            std::to_string(campaigns) + ") i RETURNING 1");
  auto ids = ids_of(db, "true");

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  cdpd::actors::db_actor_options dbo;
  dbo.name = "pg-write";
  dbo.workers = 4;
  auto writer = cdpd::actors::spawn_db_actor(sys, db.pool(4), dbo);
  sys.registry().put(cdpd::actors::db_write_key,
                     caf::actor_cast<caf::strong_actor_ptr>(writer));

  std::printf("campaign actors: %d live campaigns, PostgreSQL %s\n", campaigns,
              db.scalar("SHOW server_version").c_str());
  constexpr int changes = 400;

  // 1a. Before the host runs: the status change as one db job.
  std::vector<double> direct;
  for (int i = 0; i < changes; ++i) {
    const auto& id = ids[static_cast<std::size_t>(i / 2) % ids.size()];
    auto job =
        domain::set_campaign_status(id, i % 2 == 0 ? "paused" : "active");
    auto t0 = bench_clock::now();
    self->request(writer, 30s, cdpd::actors::db_job_atom::value, job.work)
        .receive([](cdpd::actors::db_result&) {},
                 [&](caf::error& e) {
                   std::fprintf(stderr, "%s\n", sys.render(e).c_str());
                 });
    direct.push_back(
        std::chrono::duration<double, std::milli>(bench_clock::now() - t0)
            .count());
  }

  // 2. The host and its actors, against the same process idle without them.
  auto idle0 = cpu_seconds();
  std::this_thread::sleep_for(5s);
  auto idle_without = (cpu_seconds() - idle0) / 5.0 * 100.0;
  auto rss_before = rss_kb();
  live::campaign_host_options o;
  auto started_at = bench_clock::now();
  auto host = live::spawn_campaign_host(sys, o);
  sys.registry().put(live::campaign_host_key,
                     caf::actor_cast<caf::strong_actor_ptr>(host));
  auto waiting = [&] {
    std::size_t n = 0;
    self->request(host, 30s, live::campaign_view_atom::value)
        .receive(
            [&](std::vector<live::campaign_snapshot>& all) {
              for (const auto& s : all)
                n += s.step == "waiting";
            },
            [](caf::error&) {});
    return n;
  };
  while (waiting() < ids.size())
    std::this_thread::sleep_for(50ms);
  auto ready_s =
      std::chrono::duration<double>(bench_clock::now() - started_at).count();
  std::this_thread::sleep_for(1s);
  auto rss_after = rss_kb();
  auto cpu0 = cpu_seconds();
  std::this_thread::sleep_for(5s);
  auto idle_cpu = (cpu_seconds() - cpu0) / 5.0 * 100.0;
  std::printf("actors up and waiting after %.2f s\n", ready_s);
  std::printf("resident memory: +%ld KiB for %zu actors (%.1f KiB each)\n",
              rss_after - rss_before, ids.size(),
              static_cast<double>(rss_after - rss_before) /
                  static_cast<double>(ids.size()));
  std::printf("idle CPU of the process: %.2f%% of one core with the actors"
              " (host poll every %lld ms), %.2f%% without\n",
              idle_cpu, static_cast<long long>(o.poll_interval.count()),
              idle_without);

  // 1b. The same changes through the host and the campaign actors.
  std::vector<double> through_actor;
  for (int i = 0; i < changes; ++i) {
    const auto& id = ids[static_cast<std::size_t>(i / 2) % ids.size()];
    auto t0 = bench_clock::now();
    self->request(host, 30s, live::campaign_status_atom::value, id,
                  std::string{i % 2 == 0 ? "paused" : "active"})
        .receive([](bool) {},
                 [&](caf::error& e) {
                   std::fprintf(stderr, "%s\n", sys.render(e).c_str());
                 });
    through_actor.push_back(
        std::chrono::duration<double, std::milli>(bench_clock::now() - t0)
            .count());
  }
  print("status change, one db job (before actors)", direct);
  print("status change through the campaign actor", through_actor);
  std::printf("ratio p50 actor/db job: %.2f\n",
              percentile(through_actor, 0.5) / percentile(direct, 0.5));

  // 3. Start accuracy: 50 campaigns due 2..6 s from now, to the second.
  db.scalar("UPDATE campaigns SET status = 'draft', exec_phase = NULL,"
            " scheduled_at = NULL WHERE id IN (SELECT id FROM campaigns"
            " ORDER BY id LIMIT 50) RETURNING 1");
  auto soon = ids_of(db, "status = 'draft'");
  for (std::size_t i = 0; i < soon.size(); ++i)
    db.scalar("UPDATE campaigns SET start_date = (now() AT TIME ZONE 'utc'"
              " + interval '" +
              std::to_string(2 + i % 5) +
              " seconds')::date, start_time_of_day = to_char(now() AT TIME"
              " ZONE 'utc' + interval '" +
              std::to_string(2 + i % 5) +
              " seconds', 'HH24:MI:SS') WHERE id = '" + soon[i] +
              "' RETURNING 1");
  for (const auto& id : soon)
    self->request(host, 30s, live::campaign_status_atom::value, id,
                  std::string{"active"})
        .receive([](bool) {}, [](caf::error&) {});
  auto deadline = bench_clock::now() + 30s;
  while (bench_clock::now() < deadline &&
         db.count("SELECT count(*) FROM campaigns WHERE status = 'active'"
                  " AND exec_phase = 'sending'") < 50)
    std::this_thread::sleep_for(100ms);
  std::vector<double> late;
  {
    pqxx::work tx{db.conn()};
    for (const auto& row :
         tx.exec("SELECT extract(epoch FROM started_at - scheduled_at) * 1000"
                 " FROM campaigns WHERE started_at IS NOT NULL"))
      late.push_back(row[0].as<double>());
    tx.commit();
  }
  print("start after its scheduled second", late);
  std::printf("latest start: %.1f ms after its time\n",
              late.empty() ? 0 : *std::max_element(late.begin(), late.end()));

  sys.registry().erase(live::campaign_host_key);
  self->send_exit(host, caf::exit_reason::user_shutdown);
  sys.registry().erase(cdpd::actors::db_write_key);
  self->send_exit(writer, caf::exit_reason::user_shutdown);
  return 0;
}
