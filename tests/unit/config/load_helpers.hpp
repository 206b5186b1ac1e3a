#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace cdpd::config::testing {

using args_t = std::vector<std::string>;
using env_t = std::map<std::string, std::string>;

/// The invocation load() returns; fails the test on a load_error.
inline invocation loaded(const args_t& args, const env_t& env = {}) {
  auto result = load(args, env);
  if (auto* err = std::get_if<load_error>(&result)) {
    ADD_FAILURE() << "unexpected load error: " << err->message;
    return {};
  }
  return std::get<invocation>(result);
}

/// The message of the load_error load() returns; fails the test on success.
inline std::string load_fails(const args_t& args, const env_t& env = {}) {
  auto result = load(args, env);
  if (auto* err = std::get_if<load_error>(&result))
    return err->message;
  ADD_FAILURE() << "load succeeded but an error was expected";
  return {};
}

} // namespace cdpd::config::testing
