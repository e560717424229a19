// Day numbers for ISO dates. Relations keep first_seen/last_seen as days since 1970-01-01 so
// that a time window is two integer comparisons inside a traversal.
//
// The conversions are Howard Hinnant's days_from_civil / civil_from_days
// (https://howardhinnant.github.io/date_algorithms.html) on the proleptic Gregorian calendar:
// eras of 400 years (146097 days) starting on March 1st, so the leap day is the last day of
// its year and needs no special case.

#include <cstdio>

#include "graph/graph.h"

namespace relgraph::graph {
namespace {

bool is_leap_year(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

int64_t days_from_civil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;                                          // [0, 399]
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

// Parses exactly `count` decimal digits at text[pos]; false when any is not a digit.
bool parse_digits(const std::string& text, size_t pos, size_t count, int& value) {
  if (text.size() < pos + count) return false;
  value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<int32_t> days_from_iso(const std::string& iso) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (!parse_digits(iso, 0, 4, year) || iso.size() < 10 || iso[4] != '-' ||
      !parse_digits(iso, 5, 2, month) || iso[7] != '-' || !parse_digits(iso, 8, 2, day)) {
    return std::nullopt;
  }
  // A time of day may follow ("2024-03-18T09:00:00Z"); the day is all a relation keeps.
  if (iso.size() > 10 && iso[10] != 'T') return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return static_cast<int32_t>(days_from_civil(year, month, day));
}

std::string iso_from_days(int32_t days) {
  const int64_t z = int64_t{days} + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_index = (5 * day_of_year + 2) / 153;  // [0, 11], March first
  const int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

  char buffer[48];  // room for any int64 year, so the compiler can prove nothing is cut
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02d", static_cast<long long>(year),
                static_cast<int>(month), static_cast<int>(day));
  return buffer;
}

}  // namespace relgraph::graph
