// The PostgreSQL front actor against a real PostgreSQL: replies, errors,
// the bounded queue and the readiness check.
#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/errc.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd;
using namespace std::chrono_literals;

namespace {

struct db_actor_fixture : ::testing::Test {
  test::pg_test_db db;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  actors::db_actor start(int workers, std::chrono::milliseconds queue_timeout) {
    storage::pg_pool_options o;
    o.name = "write";
    o.url = db.url();
    o.size = workers;
    o.acquire_timeout = 5s;
    o.statement_timeout = 10s;
    o.connect_timeout = 5s;
    actors::db_actor_options a;
    a.name = "pg-write";
    a.workers = workers;
    a.queue_timeout = queue_timeout;
    return actors::spawn_db_actor(
        sys, std::make_shared<storage::pg_pool>(o, nullptr), a);
  }

  static actors::db_work query_int(std::string sql) {
    return [sql](storage::pg_pool& pool) -> caf::expected<caf::message> {
      auto n = pool.run([&](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return tx.exec1(sql)[0].as<int>();
      });
      if (!n)
        return std::move(n.error());
      return caf::make_message(*n);
    };
  }

  ~db_actor_fixture() override {
    for (auto& a : started)
      self->send_exit(a, caf::exit_reason::user_shutdown);
  }
  std::vector<actors::db_actor> started;
};

} // namespace

TEST_F(db_actor_fixture, RepliesWithTheWorksResult) {
  auto db_actor = start(2, 1s);
  started.push_back(db_actor);
  int got = 0;
  self->request(db_actor, 10s, actors::db_job_atom::value,
                query_int("SELECT 41 + 1"))
      .receive(
          [&](actors::db_result& r) {
            auto n = actors::db_value<int>(r);
            ASSERT_TRUE(n) << sys.render(n.error());
            got = *n;
          },
          [&](caf::error& e) { FAIL() << sys.render(e); });
  EXPECT_EQ(got, 42);
}

TEST_F(db_actor_fixture, PassesStorageErrorsThrough) {
  auto db_actor = start(1, 1s);
  started.push_back(db_actor);
  caf::error err;
  self->request(db_actor, 10s, actors::db_job_atom::value,
                query_int("SELECT no_such_column FROM nowhere"))
      .receive([](actors::db_result&) {}, [&](caf::error& e) { err = e; });
  EXPECT_EQ(err, storage::errc::query_failed) << sys.render(err);
}

TEST_F(db_actor_fixture, QueueTimeoutAnswersPoolExhaustedInsteadOfWaiting) {
  auto db_actor = start(1, 100ms);
  started.push_back(db_actor);
  // Occupy the only worker for two seconds.
  self->send(db_actor, actors::db_job_atom::value,
             query_int("SELECT 1 FROM pg_sleep(2)"));
  caf::error err;
  self->request(db_actor, 10s, actors::db_job_atom::value,
                query_int("SELECT 1"))
      .receive([](actors::db_result&) {}, [&](caf::error& e) { err = e; });
  EXPECT_EQ(err, storage::errc::pool_exhausted) << sys.render(err);
  // Answered by the queue timeout while the busy worker still sleeps.
  pqxx::connection probe{db.conninfo()};
  pqxx::nontransaction tx{probe};
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                     "'%pg_sleep(2)%' AND pid <> pg_backend_pid()")[0]
                .as<int>(),
            1);
  EXPECT_NE(storage::describe(err).find("postgres.pool-size"),
            std::string::npos);
}

TEST_F(db_actor_fixture, CheckReportsUp) {
  auto db_actor = start(1, 1s);
  started.push_back(db_actor);
  actors::check_result result;
  self->request(db_actor, 10s, actors::check_atom::value)
      .receive([&](actors::check_result& r) { result = r; },
               [&](caf::error& e) { FAIL() << sys.render(e); });
  EXPECT_TRUE(result.up) << result.error;
}

TEST_F(db_actor_fixture, AReplyOfAnotherTypeThanDeclaredIsAnError) {
  auto db_actor = start(1, 1s);
  started.push_back(db_actor);
  // Declared as text, but the work replies an int: the caller gets an
  // error instead of a value of the wrong type.
  actors::db_job<std::string> job = query_int("SELECT 7");
  caf::expected<std::string> got = std::string{};
  self->request(db_actor, 10s, actors::db_job_atom::value, job.work)
      .receive(
          [&](actors::db_result& r) { got = actors::db_value<std::string>(r); },
          [&](caf::error& e) { FAIL() << sys.render(e); });
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), caf::sec::unexpected_response);
}
