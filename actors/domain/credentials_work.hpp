#pragma once

#include <cstdint>
#include <string>

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

/// Replies storage::token_key_rotation (see storage::rotate_token_key).
db_job<storage::token_key_rotation> rotate_token_key(std::string value,
                                                     int64_t activate_after,
                                                     int64_t window,
                                                     bool immediate);

} // namespace cdpd::actors::domain

// A reply that stays on one node (see actors/domain/replies.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::credential_rows)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::token_key_rotation)
