#include "actors/ai/offline/sentence.hpp"

#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace cdpd::actors::ai::offline {

namespace {

bool is_word_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '@' || c == '.' || c == '\'' ||
         c == '_' || c == '$' || c == '+' || c == '%' || c >= 0x80;
}

constexpr std::array<std::pair<std::string_view, double>, 22> number_words = {{
    {"zero", 0},      {"one", 1},      {"two", 2},     {"three", 3},
    {"four", 4},      {"five", 5},     {"six", 6},     {"seven", 7},
    {"eight", 8},     {"nine", 9},     {"ten", 10},    {"eleven", 11},
    {"twelve", 12},   {"fifteen", 15}, {"twenty", 20}, {"thirty", 30},
    {"forty", 40},    {"fifty", 50},   {"sixty", 60},  {"ninety", 90},
    {"hundred", 100}, {"dozen", 12},
}};

/// Reads "$1,500", "500", "2.5k", "5+", "500$" into `t`.
void read_number(token& t) {
  std::string_view w = t.word;
  bool money = false;
  if (!w.empty() && w.front() == '$') {
    money = true;
    w.remove_prefix(1);
  }
  if (!w.empty() && w.back() == '$') {
    money = true;
    w.remove_suffix(1);
  }
  bool plus = false;
  if (!w.empty() && w.back() == '+') {
    plus = true;
    w.remove_suffix(1);
  }
  double scale = 1;
  if (!w.empty() && (w.back() == 'k' || w.back() == 'm')) {
    scale = w.back() == 'k' ? 1e3 : 1e6;
    w.remove_suffix(1);
  }
  if (w.empty() || std::isdigit(static_cast<unsigned char>(w.front())) == 0)
    return;
  std::string plain;
  bool dot = false;
  for (char c : w) {
    if (c == ',')
      continue;
    if (c == '.' && !dot) {
      dot = true;
    } else if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return;
    }
    plain += c;
  }
  t.number = std::strtod(plain.c_str(), nullptr) * scale;
  t.digits = true;
  t.money = money;
  t.plus = plus;
}

token make_token(std::string text) {
  // "sentence." and ".com" lose their outer dots; "gmail.com" keeps its own.
  while (!text.empty() && (text.back() == '.' || text.back() == '\''))
    text.pop_back();
  while (!text.empty() && text.front() == '\'')
    text.erase(0, 1);
  token t;
  t.original = text;
  for (char c : text)
    t.word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  read_number(t);
  if (!t.number)
    for (const auto& [name, value] : number_words)
      if (t.word == name)
        t.number = value;
  return t;
}

/// True when `text` has exactly three digits at `at` ("1,500").
bool three_digits_at(std::string_view text, std::size_t at) {
  for (std::size_t k = at; k < at + 3; ++k)
    if (k >= text.size() ||
        std::isdigit(static_cast<unsigned char>(text[k])) == 0)
      return false;
  return at + 3 >= text.size() ||
         std::isdigit(static_cast<unsigned char>(text[at + 3])) == 0;
}

/// Replaces typographic apostrophes (U+2019) with "'".
std::string plain_quotes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\xE2\x80\x99") == 0) {
      out += '\'';
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

} // namespace

std::vector<token> tokenize(std::string_view raw) {
  auto text = plain_quotes(raw);
  std::vector<token> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) {
      auto t = make_token(std::move(word));
      if (!t.word.empty())
        out.push_back(std::move(t));
    }
    word.clear();
  };
  auto push = [&](const char* w) {
    flush();
    token t;
    t.word = t.original = w;
    out.push_back(std::move(t));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '-') {
      bool between_numbers =
          !word.empty() &&
          std::isdigit(static_cast<unsigned char>(word.back())) != 0 &&
          i + 1 < text.size() &&
          (std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0 ||
           text[i + 1] == '$');
      if (between_numbers)
        push("to");
      else
        flush();
    } else if (c == ',' || c == ':' || c == ';') {
      // "1,500" is a number; "Texas, Florida" a list.
      bool thousands = c == ',' && !word.empty() &&
                       std::isdigit(static_cast<unsigned char>(word.back())) &&
                       three_digits_at(text, i + 1);
      if (thousands)
        word += ',';
      else
        push(c == ':' ? ":" : ",");
    } else if (c == '&') {
      push("and");
    } else if (is_word_char(c)) {
      word += static_cast<char>(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::string capitalized(std::string_view word) {
  std::string out{word};
  if (!out.empty())
    out[0] =
        static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

} // namespace cdpd::actors::ai::offline
