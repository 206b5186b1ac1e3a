#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// A sentence cut into words the offline engine can match phrase by phrase:
/// lower-case words, numbers with their value, and the punctuation that
/// carries structure (",", ":").
namespace cdpd::actors::ai::offline {

/// One word of a sentence.
struct token {
  std::string word;     ///< lower case, trailing dots dropped ("gmail.com")
  std::string original; ///< as written ("California", "TX", "$1,500")
  /// The value of a written number ("500", "$1,500", "2k", "2.5"), or of a
  /// number word ("ten"); numbers written with digits also set `digits`.
  std::optional<double> number;
  bool digits = false; ///< written with digits
  bool money = false;  ///< written with a "$" sign
  bool plus = false;   ///< written with a trailing "+" ("5+")
};

/// The words of `text`. Hyphens split words ("one-time" -> one, time), a
/// hyphen between two numbers reads as "to" ("2-5"), "&" as "and", and
/// typographic apostrophes as "'". Words keep "@", "." and "'" inside
/// them, so email fragments and "haven't" stay whole.
std::vector<token> tokenize(std::string_view text);

/// The word with its first letter upper case ("john" -> "John").
std::string capitalized(std::string_view word);

} // namespace cdpd::actors::ai::offline
