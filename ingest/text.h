// Text handling for extraction: UTF-8 checks, tokens with byte offsets, sentences.
//
// Tokens keep byte offsets into the original article text, so evidence can always point
// at the exact bytes it came from; their `norm` form is lowercased and has typographic
// quotes and apostrophes folded to ASCII ("Beijing’s" gives tokens "beijing" and "'s").
// Pure functions, no state: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relgraph::ingest {

struct Token {
  uint32_t start = 0;  // byte offset in the text
  uint32_t end = 0;    // byte offset one past the token
  std::string norm;    // lowercase, ASCII quotes/apostrophes/dashes
  bool word = false;   // letters or digits (else punctuation)
  bool cap = false;    // starts with an uppercase letter
  bool upper = false;  // has letters and all of them are uppercase ("US", "NATO")
  bool number = false; // starts with a digit
  bool newline_before = false;  // a line break separates it from the previous token
};

struct SentenceSpan {
  uint32_t first_token = 0;  // index of its first token
  uint32_t end_token = 0;    // one past its last token
  uint32_t start = 0;        // byte offset of the sentence in the text
  uint32_t end = 0;          // byte offset one past it
};

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, no NUL bytes).
bool is_valid_utf8(std::string_view text);

// Splits text into tokens. REQUIRES: is_valid_utf8(text) (invalid bytes become punctuation).
std::vector<Token> tokenize(std::string_view text);

// Groups tokens into sentences. Survives abbreviations ("U.S.", "Mr.", "Dr."), initials
// ("John F. Kennedy") and decimal numbers; a line break always ends a sentence.
std::vector<SentenceSpan> split_sentences(const std::vector<Token>& tokens);

// Tokens of a dictionary phrase, in the same normal form as tokenize() gives.
std::vector<std::string> phrase_tokens(std::string_view phrase);

// A readable key from a name: "Ja Ian Chong" gives "ja-ian-chong".
std::string slug(std::string_view name);

// The text with Latin letters stripped of their diacritics ("Erdoğan" gives "Erdogan",
// "Sánchez" gives "Sanchez"); other characters are kept as they are.
std::string ascii_fold(std::string_view text);

}  // namespace relgraph::ingest

namespace relgraph::ingest {

// Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (anything after the date, such as
// "T09:00:00Z", is ignored). nullopt when it is not a valid calendar date.
std::optional<int32_t> days_from_iso(std::string_view iso);
// "YYYY-MM-DD" for a day count.
std::string iso_from_days(int32_t days);

}  // namespace relgraph::ingest
