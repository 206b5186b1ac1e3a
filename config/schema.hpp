#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"
#include "config/values.hpp"

/// The option schema: one table of option descriptors from which loading,
/// validation, --dump-config and --help are all derived. Adding an option is
/// one entry in config/schema.cpp.
namespace cdpd::config {

/// What kind of value an option holds; decides parsing, bounds and printing.
enum class value_kind { string, boolean, integer, duration, size, choice };

/// One option's value while loading: bool for boolean; int64 for integer,
/// duration (milliseconds) and size (bytes); string for string and choice.
using value = std::variant<bool, std::int64_t, std::string>;

/// How much of an option's value is hidden when it is shown.
enum class secrecy {
  none,            ///< shown as it is
  password_in_url, ///< a connection string: only its password is masked
  whole,           ///< a key or password: every character is masked
};

/// Reads one option's field from settings as a value.
using getter = value (*)(const settings&);

/// Stores a value, already checked against the option, into settings.
using setter = void (*)(settings&, const value&);

/// Checks a string option's text; returns what is wrong, or empty when fine.
using string_rule = std::string (*)(std::string_view);

/// Describes one option: its name, kind, unit, bounds, help and where it
/// lives in settings.
struct option {
  /// `section.key`, for example `http.port`.
  std::string_view key{};
  value_kind kind = value_kind::string;
  /// What the number counts, for help and dump (`threads`, `port`, ...).
  std::string_view unit{};
  /// Inclusive bounds for integer, duration (ms) and size (bytes) options.
  std::int64_t min = 0;
  std::int64_t max = 0;
  /// The allowed words of a choice option.
  std::span<const std::string_view> choices{};
  /// The check of a string option (may be null), and the rule in words.
  string_rule rule = nullptr;
  std::string_view rule_text{};
  /// How the value is masked in dump(), --help and error messages.
  secrecy secret = secrecy::none;
  /// One line for --help and the README.
  std::string_view help{};
  getter get = nullptr;
  setter set = nullptr;

  /// The part before the last dot (`http`, `supervision.connector`).
  std::string_view section() const { return key.substr(0, key.rfind('.')); }

  /// The part after the last dot (`port`, `max-failures`).
  std::string_view name() const { return key.substr(key.rfind('.') + 1); }
};

/// Every option cdpd knows, grouped by section in a fixed order.
std::span<const option> options();

/// The section names in the order they first appear in options().
std::vector<std::string_view> sections();

/// The option named `key` (`http.port`) in `opts`, or null.
const option* find_option(std::span<const option> opts, std::string_view key);

/// Parses `text` as a value of `opt` and checks its bounds or rule. On failure
/// returns the problem, phrased to follow the option key, e.g. `"two" is not
/// an integer` or `0 is below the minimum 1`.
std::variant<value, problem> parse_value(const option& opt,
                                         std::string_view text);

/// The value as the config file writes it: durations and sizes with units,
/// strings quoted, secrets masked when `mask` is set.
std::string format_value(const option& opt, const value& v, bool mask);

/// The bounds or rule in words (`0..65535`, `100ms..10m`, `one of ...`), or
/// empty when the option accepts anything.
std::string bounds_text(const option& opt);

} // namespace cdpd::config
