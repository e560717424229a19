// Who may do what: API keys with roles, and per-client rate limits.
//
// Roles are ordered: a reader may read; an ingester may also post articles; an admin may
// also curate. Keys are never logged, and a presented key is compared with every known key
// in constant time (SHA-256 of both, compared with CRYPTO_memcmp), so neither timing nor
// length tells anything about the keys. Thread-safe once built.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace relgraph::server {

enum class Role { none = 0, reader = 1, ingester = 2, admin = 3 };

const char* role_name(Role r);
std::optional<Role> parse_role(const std::string& name);

class ApiKeys {
 public:
  // Parses key definitions: one per line or comma-separated, each "ROLE:KEY" (roles reader,
  // ingester, admin); blank lines and lines starting with '#' are ignored. Returns an error
  // message naming the line on bad input (the key itself is never echoed).
  static std::optional<std::string> parse(const std::string& text, ApiKeys& out);

  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  // The role of a presented key, or Role::none. Constant time in the key's content.
  Role role_of(const std::string& presented) const;

 private:
  struct Entry {
    std::array<unsigned char, 32> digest;
    Role role;
  };
  std::vector<Entry> keys_;
};

// A token bucket per client: `rate` requests per second with bursts of `burst`.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // True when the client may make a request now; otherwise `retry_after` is how many whole
  // seconds until it may.
  bool allow(const std::string& client, int& retry_after);
  bool enabled() const { return rate_ > 0; }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace relgraph::server
