#pragma once

#include <string>
#include <utility>

#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <pqxx/connection>
#include <pqxx/except>

#include "actors/domain/errc.hpp"
#include "actors/domain/replies.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/errc.hpp"
#include "storage/repositories/outcome.hpp"

/// Glue between repository functions and the db actor: wrapping a
/// connection function as db_work, and turning repository results into
/// reply messages or domain errors.
namespace cdpd::actors::domain {

/// The domain error for a repository refusal, with the API's text
/// ("User not found", "Email already exists", ...).
caf::error refusal_error(storage::refusal why);

/// Wraps `fn(pqxx::connection&) -> caf::expected<caf::message>` as work
/// for the db actor. `idempotent` work is retried once on a fresh
/// connection when the first one broke.
template <class Fn> db_work pg_work(Fn fn, bool idempotent) {
  return [fn = std::move(fn),
          idempotent](storage::pg_pool& pool) -> caf::expected<caf::message> {
    return pool.run(fn, idempotent);
  };
}

/// A repository result as a reply: the value as a message, or the error.
template <class T>
caf::expected<caf::message> reply(caf::expected<T>&& result) {
  if (!result)
    return std::move(result.error());
  return caf::make_message(std::move(*result));
}

/// A repository outcome as a reply: the value, the refusal as a domain
/// error, or the storage error.
template <class T>
caf::expected<caf::message> reply(caf::expected<storage::outcome<T>>&& result) {
  if (!result)
    return std::move(result.error());
  if (!result->value)
    return refusal_error(result->why);
  return caf::make_message(std::move(*result->value));
}

} // namespace cdpd::actors::domain
