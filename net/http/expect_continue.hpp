#pragma once

#include <string_view>

namespace cdpd::net {

/// The interim "100 Continue" of one request: whether its client waits for
/// it before sending the body (`Expect: 100-continue` on HTTP/1.1), and
/// whether it went out. Sent at most once per request, and only once the
/// request is known to be wanted, so a refused upload never starts.
class expect_continue {
public:
  /// Where the interim response of the current request stands.
  enum class stage {
    not_expected, ///< the client sends its body unasked
    expected,     ///< the client waits for it
    writing,      ///< it is being written
    sent,         ///< it went out (or failed to)
  };

  /// The interim response, as written on the wire.
  static constexpr std::string_view response = "HTTP/1.1 100 Continue\r\n\r\n";

  /// Forgets the previous request. Not while the interim response is being
  /// written: that write belongs to the previous request.
  void reset();

  /// Reads the request's HTTP version (11 for 1.1) and its Expect field.
  /// HTTP/1.0 clients do not know the interim response.
  void on_header(unsigned version, std::string_view expect);

  /// True when the client waits for the interim response and it has not
  /// been written yet.
  bool due() const { return stage_ == stage::expected; }

  /// True while the interim response is being written.
  bool writing() const { return stage_ == stage::writing; }

  /// Marks the interim response as being written and returns its bytes.
  /// Requires due().
  std::string_view begin_write();

  /// Marks the write begun by begin_write() as finished, whatever its
  /// outcome: a failed write is not retried.
  void end_write();

  /// The current stage.
  stage current() const { return stage_; }

private:
  stage stage_ = stage::not_expected;
};

} // namespace cdpd::net
