#pragma once

#include <cstdint>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/credential_repository.hpp"

/// Work for the db actor behind each node's credential cache
/// (net/access/credentials_refresher.hpp). Failures are storage errors.
namespace cdpd::actors::domain {

/// Replies storage::credential_rows: live API keys, all accounts and
/// unexpired revoked token ids, read in one snapshot.
db_job<storage::credential_rows> load_credentials();

/// Deletes revoked token ids and refresh tokens whose expiry has passed.
/// Replies the number of rows deleted.
db_job<int64_t> purge_expired_tokens();

} // namespace cdpd::actors::domain

// A reply that stays on one node (see actors/domain/replies.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::credential_rows)
