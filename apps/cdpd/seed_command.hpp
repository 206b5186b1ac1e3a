#pragma once

#include "config/settings.hpp"

namespace cdpd::app {

/// `cdpd seed`: starts or connects to PostgreSQL, applies the migrations and
/// fills the database with demo data (`seed.*` options), logging progress.
/// Returns the exit code: 0 when seeded, 1 on failure (including a database
/// that already has customers, unless --force).
int run_seed(const config::settings& s);

} // namespace cdpd::app
