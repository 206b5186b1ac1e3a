#pragma once

#include <string>
#include <vector>

#include "apps/cdpctl/import_command.hpp"

/// `cdpctl login` and `cdpctl users ...`: sessions and operator accounts
/// through cdpd's /api/auth and /api/admin/users routes. Passwords come
/// from CDPD_PASSWORD or, when that is unset, the first line of standard
/// input; they are never taken from the command line, where other users of
/// the machine could read them.
namespace cdpd::ctl {

/// `login --email EMAIL`: prints the access token on standard output (for
/// `export CDPD_TOKEN=$(cdpctl login --email ...)`). Returns 0, 1 when the
/// login failed, 2 on a usage error.
int run_login(const connection_options& to,
              const std::vector<std::string>& args);

/// `users list`, `users add EMAIL ROLE [--generate]`,
/// `users disable ID_OR_EMAIL`, `users set-role ID_OR_EMAIL ROLE`; needs an
/// admin token. `add --generate` makes a random password and prints it
/// once. Returns 0, 1 when the request failed, 2 on a usage error.
int run_users(const connection_options& to,
              const std::vector<std::string>& args);

} // namespace cdpd::ctl
