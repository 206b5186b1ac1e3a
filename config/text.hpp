#pragma once

#include <string>
#include <string_view>

/// Small text helpers every module may use (config/ depends on nothing of
/// ours, so any module can include this).
namespace cdpd::config {

/// `text` without leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view text);

/// `text` with ASCII letters in lower case; other bytes unchanged.
std::string lower(std::string_view text);

/// The value of hexadecimal digit `c` (either case); -1 for any other
/// character.
int hex_value(char c);

} // namespace cdpd::config
