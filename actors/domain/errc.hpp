#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

/// Error codes of the domain operations (customers, orders, flows, ...):
/// what a caller did wrong, as opposed to storage failures. The context is
/// one string, the text the API shows ("User not found").
namespace cdpd::actors::domain {

enum class errc : uint8_t {
  not_found = 1, ///< a referenced entity does not exist
  rejected, ///< the request is well-formed but refused (duplicate, bad value)
  conflict, ///< the request clashes with the current state
};

/// Name of a code ("not_found").
const char* to_string(errc code);

/// Builds a domain error carrying the text shown to the client.
inline caf::error make_error(errc code, std::string what) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("domain"),
                    caf::make_message(std::move(what))};
}

/// The text stored by make_error (or by storage's, or any error whose
/// context is one string), else a domain code's name, else CAF's rendering:
/// what the db work's callers show or log, whichever layer failed.
std::string describe(const caf::error& err);

} // namespace cdpd::actors::domain

CAF_ERROR_CODE_ENUM(cdpd::actors::domain::errc, "domain")
