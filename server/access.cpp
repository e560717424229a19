#include "server/access.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cmath>
#include <sstream>

namespace relgraph::server {
namespace {

std::array<unsigned char, 32> digest(const std::string& s) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

const char* role_name(Role r) {
  switch (r) {
    case Role::reader: return "reader";
    case Role::ingester: return "ingester";
    case Role::admin: return "admin";
    case Role::none: break;
  }
  return "none";
}

std::optional<Role> parse_role(const std::string& name) {
  for (Role r : {Role::reader, Role::ingester, Role::admin})
    if (name == role_name(r)) return r;
  return std::nullopt;
}

std::optional<std::string> ApiKeys::parse(const std::string& text, ApiKeys& out) {
  std::string normalised = text;
  for (char& c : normalised)
    if (c == ',') c = '\n';
  std::istringstream in(normalised);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos)
      return "API key entry " + std::to_string(n) + " is not ROLE:KEY";
    const auto role = parse_role(trim(line.substr(0, colon)));
    if (!role)
      return "API key entry " + std::to_string(n) + " has an unknown role (use reader, ingester or admin)";
    const std::string key = trim(line.substr(colon + 1));
    if (key.size() < 16)
      return "API key entry " + std::to_string(n) + " has a key shorter than 16 characters";
    out.keys_.push_back({digest(key), *role});
  }
  return std::nullopt;
}

Role ApiKeys::role_of(const std::string& presented) const {
  const auto d = digest(presented);
  Role found = Role::none;
  // Every key is compared, whatever matched before, so timing does not depend on position.
  for (const Entry& e : keys_) {
    const bool match = CRYPTO_memcmp(e.digest.data(), d.data(), d.size()) == 0;
    found = match && e.role > found ? e.role : found;
  }
  return found;
}

bool RateLimiter::allow(const std::string& client, int& retry_after) {
  if (!enabled()) return true;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  retry_after = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
  // Forget idle clients now and then so the table stays small.
  if (buckets_.size() > 100000) buckets_.clear();
  return false;
}

}  // namespace relgraph::server
