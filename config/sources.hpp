#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/loader.hpp"
#include "config/schema.hpp"

/// The three configuration sources, each turned into a list of raw
/// assignments. Values are parsed and checked later, when a source's final
/// assignments are applied to settings.
namespace cdpd::config::internal {

/// One option set to a text by a source, before the text is parsed.
struct assignment {
  const option* opt = nullptr;
  std::string text;
  /// Where it came from, for messages: `/etc/cdpd.ini:3`, `CDPD_HTTP_PORT`,
  /// `--http.port`.
  std::string origin;
};

/// Parses config-file text (read from `path`, named in messages) into
/// assignments of options in `table`. Returns the first syntax error,
/// unknown section or unknown option.
std::variant<std::vector<assignment>, load_error>
parse_ini(std::span<const option> table, std::string_view text,
          const std::string& path);

/// Reads the config file at `path` and parses it with parse_ini. A file that
/// cannot be read is an error naming it.
std::variant<std::vector<assignment>, load_error>
read_ini_file(std::span<const option> table, const std::string& path);

/// The CDPD_SECTION_KEY name of an option (`CDPD_HTTP_IO_THREADS`).
std::string env_name(const option& opt);

/// What the environment contributes.
struct env_source {
  std::optional<std::string> config_path; ///< CDPD_CONFIG
  std::vector<assignment> assignments;
};

/// Collects CDPD_<SECTION>_<KEY> variables. Variables of a known section with
/// an unknown key are errors; other CDPD_ variables are ignored.
std::variant<env_source, load_error>
read_environment(std::span<const option> table,
                 const std::map<std::string, std::string>& env);

/// What the command line contributes.
struct cli_source {
  command cmd = command::run;
  bool dump_config = false;
  bool help = false;
  std::optional<std::string> config_path; ///< --config
  std::vector<assignment> assignments;
};

/// Parses argv[1..argc): a command, --section.key[=value], --config,
/// --dump-config, --help/-h. Unknown flags and commands and missing values
/// are errors.
std::variant<cli_source, load_error>
read_command_line(std::span<const option> table,
                  const std::vector<std::string>& args);

/// load() over an arbitrary option table, so that tests can exercise kinds
/// the real table does not use.
std::variant<invocation, load_error>
load_with(std::span<const option> table, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env);

} // namespace cdpd::config::internal
