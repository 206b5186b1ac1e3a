#pragma once

#include <utility>

/// Start, then at once register the stop: teardown steps run in reverse
/// order of their guards on every way out of a scope.
namespace cdpd::app {

/// Calls `fn` when the scope ends.
template <class Fn> class scope_exit {
public:
  explicit scope_exit(Fn fn) : fn_(std::move(fn)) {}
  scope_exit(const scope_exit&) = delete;
  scope_exit& operator=(const scope_exit&) = delete;
  ~scope_exit() { fn_(); }

private:
  Fn fn_;
};

} // namespace cdpd::app
