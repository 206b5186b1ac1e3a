#include "net/email/template.hpp"

#include <algorithm>

#include "net/email/errc.hpp"

namespace cdpd::net::email {

namespace {

constexpr std::string_view open_mark = "{{";
constexpr std::string_view close_mark = "}}";

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool valid_name(std::string_view name) {
  return !name.empty() && is_name_start(name.front()) &&
         std::all_of(name.begin(), name.end(), is_name_char);
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back()))
    text.remove_suffix(1);
  return text;
}

} // namespace

const placeholder_set& customer_placeholders() {
  static const placeholder_set names{
      "first_name",     "last_name",        "email",
      "shipping_state", "shipping_country", "unsubscribe_url"};
  return names;
}

std::vector<std::string> email_template::placeholders() const {
  std::vector<std::string> names;
  for (const auto& p : pieces)
    if (p.placeholder &&
        std::find(names.begin(), names.end(), p.text) == names.end())
      names.push_back(p.text);
  return names;
}

caf::expected<email_template> parse_template(std::string_view source) {
  email_template result;
  std::size_t pos = 0;
  while (pos < source.size()) {
    auto open = source.find(open_mark, pos);
    if (open == std::string_view::npos) {
      result.pieces.push_back({false, std::string{source.substr(pos)}, pos});
      break;
    }
    if (open > pos)
      result.pieces.push_back(
          {false, std::string{source.substr(pos, open - pos)}, pos});
    auto inner_start = open + open_mark.size();
    auto close = source.find(close_mark, inner_start);
    if (close == std::string_view::npos)
      return make_error(errc::invalid_template, "'{{' at offset " +
                                                    std::to_string(open) +
                                                    " has no closing '}}'");
    auto name = trim_blanks(source.substr(inner_start, close - inner_start));
    if (!valid_name(name))
      return make_error(errc::invalid_template,
                        "placeholder at offset " + std::to_string(open) +
                            " is not a name: '" +
                            std::string{source.substr(open, close + 2 - open)} +
                            "'");
    result.pieces.push_back({true, std::string{name}, open});
    pos = close + close_mark.size();
  }
  return result;
}

caf::expected<std::vector<std::string>>
parse_placeholders(std::string_view source, const placeholder_set& allowed) {
  auto parsed = parse_template(source);
  if (!parsed)
    return parsed.error();
  for (const auto& p : parsed->pieces)
    if (p.placeholder && allowed.count(p.text) == 0)
      return make_error(errc::invalid_template, "unknown placeholder '" +
                                                    p.text + "' at offset " +
                                                    std::to_string(p.offset));
  return parsed->placeholders();
}

std::string render(const email_template& tmpl, const template_values& values,
                   body_kind kind) {
  std::string out;
  for (const auto& p : tmpl.pieces) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    auto found = values.find(p.text);
    if (found == values.end())
      continue;
    out += kind == body_kind::html ? html_escape(found->second) : found->second;
  }
  return out;
}

caf::expected<std::string>
render(std::string_view source, const template_values& values, body_kind kind) {
  auto parsed = parse_template(source);
  if (!parsed)
    return parsed.error();
  return render(*parsed, values, kind);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

} // namespace cdpd::net::email
