#pragma once

#include <string_view>

namespace cdpd::net {

/// The standard reason phrase of an HTTP status ("Not Found" for 404), or
/// "Unknown Status" for a code without one.
std::string_view reason_phrase(int status);

} // namespace cdpd::net
