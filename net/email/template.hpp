#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

/// Personalization of subjects and bodies: `{{first_name}}` placeholders
/// (spaces inside the braces allowed: `{{ first_name }}`) filled from
/// customer fields. Templates are checked when a campaign is saved, so an
/// unknown placeholder never reaches a send.
namespace cdpd::net::email {

/// Values of placeholders by name.
using template_values = std::map<std::string, std::string, std::less<>>;

/// Names a template may use.
using placeholder_set = std::set<std::string, std::less<>>;

/// What a rendered value is inserted into: HTML bodies get values
/// HTML-escaped, subjects and text bodies take them as they are.
enum class body_kind { text, html };

/// The placeholders campaign templates may use: first_name, last_name,
/// email, shipping_state, shipping_country and unsubscribe_url.
const placeholder_set& customer_placeholders();

/// A parsed template: literal text and placeholders, in order.
struct email_template {
  struct piece {
    bool placeholder = false; ///< `text` is a name, not literal text
    std::string text;
    std::size_t offset = 0; ///< where the piece starts in the source
  };
  std::vector<piece> pieces;

  /// Distinct placeholder names in order of first use.
  std::vector<std::string> placeholders() const;
};

/// Parses `source`. Fails with errc::invalid_template naming the offset of
/// a `{{` without a closing `}}`, or of a name that is empty or not made of
/// letters, digits and '_' (starting with a letter or '_').
caf::expected<email_template> parse_template(std::string_view source);

/// Parses `source` and checks every placeholder against `allowed`. Returns
/// the distinct placeholder names in order of first use; fails like
/// parse_template, or with errc::invalid_template naming the first unknown
/// placeholder and its offset.
caf::expected<std::vector<std::string>>
parse_placeholders(std::string_view source, const placeholder_set& allowed);

/// Fills a parsed template. A placeholder without a value renders empty
/// (customer fields may be unset); with body_kind::html values are escaped
/// (& < > " ').
std::string render(const email_template& tmpl, const template_values& values,
                   body_kind kind = body_kind::text);

/// parse_template then render; fails like parse_template.
caf::expected<std::string> render(std::string_view source,
                                  const template_values& values,
                                  body_kind kind = body_kind::text);

/// `text` with & < > " ' replaced by HTML character references.
std::string html_escape(std::string_view text);

} // namespace cdpd::net::email
