#include "actors/storage/db_actor.hpp"

#include <chrono>
#include <deque>
#include <exception>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors {

namespace {

/// What a worker hands back to the dispatcher: the work's reply or error.
struct db_reply {
  caf::message value;
  caf::error err;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_reply& x) {
  return f(caf::meta::type_name("db_reply"), x.value, x.err);
}

caf::behavior db_worker(caf::event_based_actor* self,
                        std::shared_ptr<storage::pg_pool> pool) {
  self->set_default_handler(caf::print_and_drop);
  return {
      [=](db_job_atom, db_work& work) -> db_reply {
        try {
          auto result = work(*pool);
          if (!result)
            return {caf::message{}, std::move(result.error())};
          return {std::move(*result), caf::error{}};
        } catch (const std::exception& e) {
          // Work is expected to translate its own errors; this is a bug guard.
          return {caf::message{},
                  storage::make_error(storage::errc::query_failed, e.what())};
        }
      },
  };
}

using db_promise = caf::typed_response_promise<db_result>;

struct pending_job {
  db_work work;
  db_promise promise;
};

struct dispatcher_state {
  std::vector<caf::actor> idle;
  std::deque<uint64_t> order;
  std::unordered_map<uint64_t, pending_job> pending;
  uint64_t next_id = 0;
  static inline const char* name = "db-dispatcher";
};

using dispatcher_ptr = db_actor::stateful_pointer<dispatcher_state>;

void run_on(dispatcher_ptr self, caf::actor worker, db_work work,
            db_promise promise);

void release(dispatcher_ptr self, caf::actor worker) {
  auto& st = self->state;
  while (!st.order.empty()) {
    auto id = st.order.front();
    st.order.pop_front();
    auto i = st.pending.find(id);
    if (i == st.pending.end())
      continue; // expired while queued
    auto job = std::move(i->second);
    st.pending.erase(i);
    run_on(self, std::move(worker), std::move(job.work),
           std::move(job.promise));
    return;
  }
  st.idle.push_back(std::move(worker));
}

void run_on(dispatcher_ptr self, caf::actor worker, db_work work,
            db_promise promise) {
  // The worker blocks as long as PostgreSQL does; the statement timeout
  // bounds that, so no timeout is needed here.
  self->request(worker, caf::infinite, db_job_atom::value, std::move(work))
      .then(
          [=](db_reply& reply) mutable {
            if (reply.err)
              promise.deliver(std::move(reply.err));
            else
              promise.deliver(db_result{std::move(reply.value)});
            release(self, worker);
          },
          [=](caf::error& err) mutable {
            promise.deliver(std::move(err));
            release(self, worker);
          });
}

db_actor::behavior_type db_dispatcher(dispatcher_ptr self,
                                      std::shared_ptr<storage::pg_pool> pool,
                                      db_actor_options options) {
  for (int i = 0; i < options.workers; ++i)
    self->state.idle.push_back(
        self->spawn<caf::detached + caf::linked>(db_worker, pool));
  auto submit = [=](db_work work) {
    auto promise = self->make_response_promise<db_result>();
    auto& st = self->state;
    if (!st.idle.empty()) {
      auto worker = std::move(st.idle.back());
      st.idle.pop_back();
      run_on(self, std::move(worker), std::move(work), promise);
      return promise;
    }
    if (st.pending.size() >= options.max_queue) {
      promise.deliver(storage::make_error(
          storage::errc::pool_exhausted,
          options.name + ": " + std::to_string(st.pending.size()) +
              " queries already wait for a connection; raise postgres.pool-size"
              " or find the slow queries"));
      return promise;
    }
    auto id = st.next_id++;
    st.order.push_back(id);
    st.pending.emplace(id, pending_job{std::move(work), promise});
    self->delayed_send(self, options.queue_timeout, expire_atom::value, id);
    return promise;
  };
  return {
      [=](db_job_atom, db_work& work) { return submit(std::move(work)); },
      [=](check_atom) -> caf::result<check_result> {
        auto started = std::chrono::steady_clock::now();
        db_work probe =
            [started](storage::pg_pool& p) -> caf::expected<caf::message> {
          auto ok = p.run(
              [](pqxx::connection& c) {
                pqxx::nontransaction tx{c};
                tx.exec("SELECT 1");
                return 1;
              },
              true);
          check_result result;
          result.up = static_cast<bool>(ok);
          result.latency_ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - started)
                                  .count();
          if (!ok)
            result.error = storage::describe(ok.error());
          return caf::make_message(std::move(result));
        };
        auto rp = self->make_response_promise<check_result>();
        self->request(caf::actor_cast<db_actor>(self), caf::infinite,
                      db_job_atom::value, std::move(probe))
            .then(
                [rp](db_result& r) mutable {
                  auto value = db_value<check_result>(r);
                  if (value)
                    rp.deliver(std::move(*value));
                  else
                    rp.deliver(std::move(value.error()));
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](expire_atom, uint64_t id) {
        auto& st = self->state;
        auto i = st.pending.find(id);
        if (i == st.pending.end())
          return;
        i->second.promise.deliver(storage::make_error(
            storage::errc::pool_exhausted,
            options.name + ": no PostgreSQL connection free within " +
                std::to_string(options.queue_timeout.count()) +
                " ms; raise postgres.pool-size or find the slow queries"));
        st.pending.erase(i);
      },
  };
}

} // namespace

db_actor spawn_db_actor(caf::actor_system& sys,
                        std::shared_ptr<storage::pg_pool> pool,
                        db_actor_options options) {
  return sys.spawn(db_dispatcher, std::move(pool), std::move(options));
}

} // namespace cdpd::actors
