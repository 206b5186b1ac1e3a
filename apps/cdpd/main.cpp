#include <cstdio>
#include <variant>

#include "apps/cdpd/json_log.hpp"
#include "apps/cdpd/node.hpp"
#include "apps/cdpd/seed_command.hpp"
#include "config/loader.hpp"

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto loaded =
      cdpd::config::load(args, cdpd::config::environment_map(environ));
  if (auto* err = std::get_if<cdpd::config::load_error>(&loaded)) {
    std::fprintf(stderr, "cdpd: %s\n", err->message.c_str());
    return 2;
  }
  auto& inv = std::get<cdpd::config::invocation>(loaded);
  if (inv.help) {
    std::fputs(cdpd::config::usage().c_str(), stdout);
    return 0;
  }
  if (inv.dump_config) {
    std::fputs(cdpd::config::dump(inv.values).c_str(), stdout);
    return 0;
  }
  cdpd::app::block_stop_signals();
  cdpd::app::setup_json_logging(inv.values.log.level);
  if (inv.cmd == cdpd::config::command::migrate)
    return cdpd::app::run_migrate(inv.values);
  if (inv.cmd == cdpd::config::command::seed)
    return cdpd::app::run_seed(inv.values);
  return cdpd::app::run_node(inv.values);
}
