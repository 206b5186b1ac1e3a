#pragma once

#include <string>
#include <vector>

#include "apps/cdpctl/import_command.hpp"

/// `cdpctl keys ...`: the access-token key through cdpd's
/// /api/admin/token-keys routes (admin token needed).
namespace cdpd::ctl {

/// `keys show` prints the key that signs and the keys also accepted;
/// `keys rotate [--now]` makes a new key (see net/api/token_key_routes.hpp):
/// it signs once every node has loaded it and the current key stays
/// accepted until its tokens expire; `--now` drops the current key at once
/// (for a leaked key: every session ends). Returns 0, 1 when the request
/// failed, 2 on a usage error.
int run_keys(const connection_options& to,
             const std::vector<std::string>& args);

} // namespace cdpd::ctl
