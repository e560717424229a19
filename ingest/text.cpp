#include "ingest/text.h"

#include <array>
#include <cstdio>
#include <unordered_set>

namespace relgraph::ingest {
namespace {

struct Decoded {
  char32_t cp;
  uint32_t len;
};

// Decodes one code point; malformed bytes decode as U+FFFD of length 1.
Decoded decode(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  uint32_t len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return {0xFFFD, 1};
  }
  if (i + len > s.size()) return {0xFFFD, 1};
  for (uint32_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::array<char32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0xFFFD, 1};
  return {cp, len};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x3000 ||
         c == 0xFEFF;
}

bool is_apostrophe(char32_t c) { return c == '\'' || c == 0x2019 || c == 0x02BC; }

// Letters: ASCII letters and every non-ASCII code point that is not punctuation or space.
bool is_letter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c == 0xFFFD || is_space(c)) return false;
  if (c >= 0x2010 && c <= 0x206F) return false;  // general punctuation
  if (c == 0xAB || c == 0xBB || c == 0xB7 || c == 0xA7 || c == 0xB0 || c == 0xA9 ||
      c == 0xAE || c == 0xD7 || c == 0xF7)
    return false;
  if (c >= 0xA1 && c <= 0xBF) return false;
  return true;
}

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }

bool is_upper(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  if (c >= 0xC0 && c <= 0xDE) return c != 0xD7;
  if (c >= 0x100 && c <= 0x17F) return (c % 2) == 0;
  if (c >= 0x391 && c <= 0x3A9) return true;  // Greek
  if (c >= 0x410 && c <= 0x42F) return true;  // Cyrillic
  return false;
}

char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x17F && c % 2 == 0) return c + 1;
  if (c >= 0x391 && c <= 0x3A9) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  return c;
}

// ASCII fold for keys: "ğ" gives "g", "é" gives "e".
char fold_ascii(char32_t c) {
  if (c < 0x80) return static_cast<char>(c);
  static const char* kLatin1 = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";  // U+00E0..U+00FF
  if (c >= 0xE0 && c <= 0xFF) return kLatin1[c - 0xE0];
  if (c >= 0xC0 && c <= 0xDF) return kLatin1[c - 0xC0];
  static const char* kExtA =
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllllllllnnnnnnnnnooooooooo"
      "rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";  // U+0100..U+017F
  if (c >= 0x100 && c <= 0x17F) return kExtA[c - 0x100];
  return 0;
}

std::string punct_norm(char32_t c) {
  switch (c) {
    case 0x201C: case 0x201D: case 0x201E: case 0xAB: case 0xBB: case '"':
      return "\"";
    case 0x2018: case 0x2019: case 0x201A: case 0x02BC:
      return "'";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
      return "-";
    case 0x2026:
      return "...";
    default: {
      std::string s;
      if (c == 0xFFFD) return "?";
      append_utf8(s, c);
      return s;
    }
  }
}

const std::unordered_set<std::string>& abbreviations() {
  static const std::unordered_set<std::string> k = {
      "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt",
      "sen", "rep", "gov", "pres", "st", "sr", "jr", "rev", "hon", "amb", "no", "vs", "etc",
      "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
      "approx", "est", "dept", "govt", "inc", "ltd", "co", "corp", "mt", "ft"};
  return k;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') return false;
    const Decoded d = decode(text, i);
    if (d.cp == 0xFFFD && !(d.len == 3 && static_cast<unsigned char>(text[i]) == 0xEF))
      return false;
    i += d.len;
  }
  return true;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  bool newline = false;
  size_t i = 0;
  const size_t n = text.size();
  auto peek = [&](size_t at) -> Decoded {
    return at < n ? decode(text, at) : Decoded{0, 0};
  };
  while (i < n) {
    const Decoded d = decode(text, i);
    if (is_space(d.cp)) {
      if (d.cp == '\n') newline = true;
      i += d.len;
      continue;
    }
    Token t;
    t.start = static_cast<uint32_t>(i);
    t.newline_before = newline;
    newline = false;
    if (is_letter(d.cp) || is_digit(d.cp)) {
      t.word = true;
      t.number = is_digit(d.cp);
      t.cap = is_upper(d.cp);
      bool has_letter = false, all_upper = true;
      size_t j = i;
      // Dotted abbreviations: "U.S.", "U.K.", "E.U." (single letters each followed by '.').
      {
        size_t k = j;
        int letters = 0;
        while (k + 1 < n) {
          const Decoded a = decode(text, k);
          if (!is_letter(a.cp) || a.cp >= 0x80) break;
          if (text[k + 1] != '.') break;
          if (k + 2 < n && is_letter(decode(text, k + 2).cp) &&
              !(k + 3 < n && text[k + 3] == '.'))
            break;  // "U.Sa" is not an abbreviation
          ++letters;
          k += 2;
        }
        if (letters >= 2) {
          for (size_t p = j; p < k; ++p) {
            const char c = text[p];
            t.norm += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
          }
          t.upper = true;
          t.end = static_cast<uint32_t>(k);
          out.push_back(std::move(t));
          i = k;
          continue;
        }
      }
      while (j < n) {
        const Decoded a = decode(text, j);
        if (is_letter(a.cp) || is_digit(a.cp)) {
          if (is_letter(a.cp)) {
            has_letter = true;
            if (!is_upper(a.cp)) all_upper = false;
          }
          append_utf8(t.norm, to_lower(a.cp));
          j += a.len;
          continue;
        }
        // Decimal and thousands separators inside numbers: "3.5", "1,000".
        if ((a.cp == '.' || a.cp == ',') && t.number && j + 1 < n && is_digit(peek(j + 1).cp)) {
          t.norm += static_cast<char>(a.cp);
          j += 1;
          continue;
        }
        if (is_apostrophe(a.cp)) {
          const Decoded next = peek(j + a.len);
          const Decoded after = peek(j + a.len + next.len);
          const bool next_letter = next.len && is_letter(next.cp);
          const bool after_letter = after.len && is_letter(after.cp);
          if (next_letter && (next.cp == 's' || next.cp == 'S') && !after_letter) break;  // 's
          if (next_letter && (next.cp == 't' || next.cp == 'T') && !after_letter &&
              !t.norm.empty() && t.norm.back() == 'n')
            break;  // n't
          if (next_letter) {  // O'Brien, d'Ivoire
            t.norm += '\'';
            j += a.len;
            continue;
          }
        }
        break;
      }
      t.upper = has_letter && all_upper;
      // Split "n't" off a contraction: "didn't" gives "did" and "n't".
      if (j < n && is_apostrophe(decode(text, j).cp) && !t.norm.empty() && t.norm.back() == 'n' &&
          (peek(j + decode(text, j).len).cp == 't' || peek(j + decode(text, j).len).cp == 'T') &&
          t.norm.size() > 1) {
        t.norm.pop_back();
        t.end = static_cast<uint32_t>(j - 1);
        out.push_back(t);
        Token neg;
        neg.start = static_cast<uint32_t>(j - 1);
        const size_t apo = decode(text, j).len;
        neg.end = static_cast<uint32_t>(j + apo + 1);
        neg.norm = "n't";
        neg.word = true;
        out.push_back(std::move(neg));
        i = neg.end;
        i = j + apo + 1;
        continue;
      }
      t.end = static_cast<uint32_t>(j);
      out.push_back(std::move(t));
      i = j;
      // A possessive "'s" becomes its own token.
      if (i < n && is_apostrophe(decode(text, i).cp)) {
        const size_t apo = decode(text, i).len;
        const Decoded next = peek(i + apo);
        if (next.len && (next.cp == 's' || next.cp == 'S') &&
            !(peek(i + apo + 1).len && is_letter(peek(i + apo + 1).cp))) {
          Token pos;
          pos.start = static_cast<uint32_t>(i);
          pos.end = static_cast<uint32_t>(i + apo + 1);
          pos.norm = "'s";
          pos.word = true;
          out.push_back(std::move(pos));
          i = i + apo + 1;
        }
      }
      continue;
    }
    // Punctuation: one code point per token.
    t.norm = punct_norm(d.cp);
    t.end = static_cast<uint32_t>(i + d.len);
    // A trailing apostrophe after a plural ("countries’ ties") acts as a possessive.
    if (is_apostrophe(d.cp) && !out.empty() && out.back().word && out.back().end == t.start &&
        !out.back().norm.empty() && out.back().norm.back() == 's' &&
        !(i + d.len < n && is_letter(peek(i + d.len).cp))) {
      t.norm = "'s";
      t.word = true;
    }
    out.push_back(std::move(t));
    i += d.len;
  }
  return out;
}

std::vector<SentenceSpan> split_sentences(const std::vector<Token>& tokens) {
  std::vector<SentenceSpan> out;
  const auto& abbr = abbreviations();
  uint32_t begin = 0;
  auto close = [&](uint32_t end) {
    if (end <= begin) return;
    out.push_back({begin, end, tokens[begin].start, tokens[end - 1].end});
    begin = end;
  };
  for (uint32_t i = 0; i < tokens.size(); ++i) {
    if (i > begin && tokens[i].newline_before) close(i);
    const std::string& w = tokens[i].norm;
    if (w != "." && w != "!" && w != "?" && w != "...") continue;
    uint32_t end = i + 1;
    while (end < tokens.size() && !tokens[end].newline_before &&
           (tokens[end].norm == "\"" || tokens[end].norm == "'" || tokens[end].norm == ")"))
      ++end;
    if (end >= tokens.size()) break;
    const Token& next = tokens[end];
    if (next.newline_before) continue;  // the line break closes it
    if (w == ".") {
      if (i == 0) continue;
      const Token& prev = tokens[i - 1];
      if (prev.end == tokens[i].start) {
        if (abbr.count(prev.norm)) continue;
        if (prev.word && prev.cap && prev.norm.size() == 1) continue;  // an initial
      }
    }
    const bool starts_sentence = next.cap || next.number || next.norm == "\"" ||
                                 next.norm == "'" || next.norm == "(";
    if (starts_sentence) close(end);
  }
  close(static_cast<uint32_t>(tokens.size()));
  return out;
}

std::vector<std::string> phrase_tokens(std::string_view phrase) {
  std::vector<std::string> out;
  for (auto& t : tokenize(phrase)) out.push_back(std::move(t.norm));
  return out;
}

std::string ascii_fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    const char folded = d.cp >= 0xC0 ? fold_ascii(d.cp) : 0;
    if (folded != 0 && folded != '/') {
      // Keep the case: "Ó" gives "O".
      const bool upper = to_lower(d.cp) != d.cp;
      out += upper && folded >= 'a' && folded <= 'z' ? static_cast<char>(folded - 32) : folded;
    } else {
      out.append(text.substr(i, d.len));
    }
    i += d.len;
  }
  return out;
}

std::string slug(std::string_view name) {
  std::string out;
  bool dash = false;
  for (size_t i = 0; i < name.size();) {
    const Decoded d = decode(name, i);
    i += d.len;
    char c = fold_ascii(to_lower(d.cp));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && !out.empty()) out += '-';
      out += c;
      dash = false;
    } else if (c != '\'' && !(d.cp == 0x2019)) {
      dash = true;
    }
  }
  return out;
}

}  // namespace relgraph::ingest

namespace relgraph::ingest {
namespace {
// Howard Hinnant's civil-calendar algorithms.
int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}
}  // namespace

std::optional<int32_t> days_from_iso(std::string_view iso) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  if (iso.size() > 10 && iso[10] != 'T' && iso[10] != ' ') return std::nullopt;
  int v[3] = {0, 0, 0};
  const int pos[3][2] = {{0, 4}, {5, 2}, {8, 2}};
  for (int f = 0; f < 3; ++f) {
    for (int k = 0; k < pos[f][1]; ++k) {
      const char c = iso[pos[f][0] + k];
      if (c < '0' || c > '9') return std::nullopt;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  const int y = v[0], m = v[1], d = v[2];
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max_day = (m == 2 && leap) ? 29 : kDays[m - 1];
  if (d > max_day) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string iso_from_days(int32_t z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y % 10000, m % 100, d % 100);
  return buf;
}

}  // namespace relgraph::ingest
