#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "config/settings.hpp"

/// Loading the configuration of a cdpd process from defaults, a config file,
/// CDPD_* environment variables and command-line flags (in rising
/// precedence). See config/README.md for the formats.
namespace cdpd::config {

/// What the process was asked to do.
enum class command { run, migrate, seed };

/// The parsed command line together with the effective settings.
struct invocation {
  command cmd = command::run;
  bool dump_config = false; ///< --dump-config
  bool help = false;        ///< --help / -h
  std::string config_path;  ///< --config PATH, or env CDPD_CONFIG
  settings values;          ///< effective settings
};

/// One line naming the key, the value and the rule it broke.
struct load_error {
  std::string message;
};

/// Builds the effective configuration. `args` is argv[1..argc), `env` the
/// process environment as name->value. Returns the first problem found as a
/// load_error. With --help only the command line is read and `values` holds
/// the defaults.
std::variant<invocation, load_error>
load(const std::vector<std::string>& args,
     const std::map<std::string, std::string>& env);

/// The process environment as a map (helper for main()); `envp` is the
/// null-terminated array main() or `environ` provides.
std::map<std::string, std::string> environment_map(char** envp);

/// The effective configuration in the config-file format, every key with its
/// value and a comment with unit and bounds; passwords in URLs are masked.
/// load() reads the output back.
std::string dump(const settings& s);

/// --help text: usage, commands, every option with default, unit, bounds and
/// help.
std::string usage();

/// A URL or libpq conninfo with its password replaced by ***, for logs.
/// Text without a password is returned unchanged.
std::string mask_secret(const std::string& url);

} // namespace cdpd::config
