#pragma once

#include <string>

#include "actors/supervision/policy.hpp"
#include "config/settings.hpp"

namespace cdpd::actors {

/// The policy called `name` in the config (see config/README.md), with the
/// default error predicates. Percentages become factors (200 -> 2.0).
supervision_policy policy_from_settings(const config::supervision_settings& s,
                                        const std::string& name);

} // namespace cdpd::actors
