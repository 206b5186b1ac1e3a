#pragma once

#include "config/settings.hpp"

/// The daemon's life: start everything in order, serve until SIGINT or
/// SIGTERM, then stop everything in reverse order.
namespace cdpd::app {

/// Blocks SIGINT and SIGTERM in the calling thread; every thread started
/// afterwards inherits the mask, so only run_node's sigwait sees them.
void block_stop_signals();

/// Runs the node. Returns the process exit code: 0 after a clean stop,
/// 2 when http.static-dir cannot be served, 1 when start-up failed
/// otherwise or the root supervisor gave up.
int run_node(const config::settings& s);

/// `cdpd migrate`: applies the migrations and returns the exit code.
int run_migrate(const config::settings& s);

} // namespace cdpd::app
