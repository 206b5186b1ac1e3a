#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <caf/all.hpp>

#include "actors/ask.hpp"
#include "actors/atoms.hpp"
#include "actors/domain/replies.hpp"
#include "actors/storage/db_actor.hpp"
#include "net/http/http_message.hpp"
#include "net/http/problem.hpp"

/// How an API handler runs one piece of domain work: a short-lived actor
/// sends it to the db actor and turns the reply into the response, so no
/// I/O thread ever blocks.
namespace cdpd::net::api {

/// Which db actor runs the work.
enum class db_role {
  write, ///< "pg-write": anything that changes data
  read,  ///< "pg-read": pure reads (a replica when configured)
};

/// Longest wait for the db actor's reply. The db actor bounds its own queue
/// wait and PostgreSQL the statement, so this only catches a lost reply.
inline constexpr std::chrono::seconds db_reply_timeout{60};

/// The registry name of the db actor for a role.
const char* db_actor_name(db_role role);

/// The registry key of the db actor for a role (computed at compile time,
/// so a lookup per request builds no atom).
constexpr caf::atom_value db_actor_key(db_role role) {
  return role == db_role::write ? actors::db_write_key : actors::db_read_key;
}

/// The running db actor for `role`; invalid when it is not running.
inline actors::db_actor find_db_actor(caf::actor_system& sys, db_role role) {
  return caf::actor_cast<actors::db_actor>(
      sys.registry().get(db_actor_key(role)));
}

/// Sends `job` to `target` and calls `on_value(T&)` or
/// `on_error(caf::error&)` on an actor thread.
template <class T, class OnValue, class OnError>
void request_db(caf::actor_system& sys, actors::db_actor target,
                actors::db_job<T> job, OnValue on_value, OnError on_error) {
  actors::ask(
      sys, target, db_reply_timeout,
      [on_value, on_error](actors::db_result& result) {
        auto value = actors::db_value<T>(result);
        if (value)
          on_value(*value);
        else
          on_error(value.error());
      },
      [on_error](caf::error& err) { on_error(err); },
      actors::db_job_atom::value, std::move(job.work));
}

/// Runs `job` on the db actor for `role`, then calls `on_value(T&)` or
/// `on_error(caf::error&)` on an actor thread (on_error also when the db
/// actor is not running).
template <class T, class OnValue, class OnError>
void run_db(caf::actor_system& sys, db_role role, actors::db_job<T> job,
            OnValue on_value, OnError on_error) {
  auto target = find_db_actor(sys, role);
  if (!target) {
    caf::error err =
        caf::make_error(caf::sec::request_receiver_down,
                        std::string{db_actor_name(role)} + " is not running");
    on_error(err);
    return;
  }
  request_db(sys, std::move(target), std::move(job), std::move(on_value),
             std::move(on_error));
}

/// Runs `job` on the db actor for `role` and answers with `on_reply(T&)`,
/// or with `on_error(err)`; both return an http_response.
template <class T, class OnReply, class OnError>
void call_db(caf::actor_system& sys, db_role role, actors::db_job<T> job,
             responder respond, OnReply on_reply, OnError on_error) {
  auto target = find_db_actor(sys, role);
  if (!target) {
    respond(problem(503, std::string{db_actor_name(role)} + " is not running",
                    "service-unavailable"));
    return;
  }
  request_db(
      sys, std::move(target), std::move(job),
      [respond, on_reply](T& value) { respond(on_reply(value)); },
      [respond, on_error](caf::error& err) { respond(on_error(err)); });
}

/// call_db with the usual error mapping, problem_from_error(err).
template <class T, class OnReply>
void call_db(caf::actor_system& sys, db_role role, actors::db_job<T> job,
             responder respond, OnReply on_reply) {
  call_db(sys, role, std::move(job), std::move(respond), std::move(on_reply),
          [](const caf::error& err) { return problem_from_error(err); });
}

} // namespace cdpd::net::api
