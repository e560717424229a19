#include "store/graph_pack.h"

#include <cstring>
#include <limits>

namespace relgraph::store::pack {
namespace {

constexpr uint32_t kRelationMagic = 0x31524752;  // "RGR1" in file order
constexpr uint32_t kEntityMagic = 0x31454752;    // "RGE1"
constexpr size_t kHeaderBytes = 16;              // magic, rows, checksum
// More names than this in one block is not something the encoder writes (a block has at most
// 1024 rows, so at most 1024 distinct names).
constexpr uint64_t kMaxNames = kBlockIds;

// A 64-bit checksum in the manner of xxHash64 (four lanes, so it runs at memory speed), the
// same function as graph/snapshot_image.cpp's (store/ does not depend on graph/). It detects
// damage, not tampering.
constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t mix_round(uint64_t acc, uint64_t input) {
  return rotl(acc + input * kP2, 31) * kP1;
}

uint64_t checksum(const unsigned char* p, size_t n) {
  uint64_t a = kP1 + kP2, b = kP2, c = 0, d = 0 - kP1;
  size_t i = 0;
  auto word = [&](size_t at) {
    uint64_t w;
    std::memcpy(&w, p + at, 8);
    return w;
  };
  for (; i + 32 <= n; i += 32) {
    a = mix_round(a, word(i));
    b = mix_round(b, word(i + 8));
    c = mix_round(c, word(i + 16));
    d = mix_round(d, word(i + 24));
  }
  uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + n;
  for (; i + 8 <= n; i += 8) h = rotl(h ^ mix_round(0, word(i)), 27) * kP1 + kP3;
  for (; i < n; ++i) h = rotl(h ^ (p[i] * kP3), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t get_u32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// The index of `name` in `names`, adding it when new.
uint64_t name_index(std::vector<std::string>& names, std::string_view name) {
  for (size_t i = names.size(); i-- > 0;) {
    if (names[i] == name) return i;
  }
  names.emplace_back(name);
  return names.size() - 1;
}

// Header + block + names + rows, with the checksum over everything after the header.
std::string assemble(uint32_t magic, uint32_t rows, int64_t block,
                     const std::vector<std::string>& names, const std::string& body) {
  std::string out;
  out.reserve(kHeaderBytes + 16 + body.size() + names.size() * 16);
  put_u32(out, magic);
  put_u32(out, rows);
  out.append(8, '\0');
  put_varint(out, zigzag(block));
  put_varint(out, names.size());
  for (const auto& n : names) put_bytes(out, n);
  out += body;
  const uint64_t sum = checksum(reinterpret_cast<const unsigned char*>(out.data()) + kHeaderBytes,
                                out.size() - kHeaderBytes);
  std::memcpy(out.data() + 8, &sum, 8);
  return out;
}

// Reads a blob front to back; every read checks the end, and a failed read sets `failed`
// (reads after it return zeros), so decoders check once per row.
class Reader {
 public:
  Reader(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return fail();
      const unsigned char b = *p_++;
      if (shift == 63 && b > 1) return fail();  // more than 64 bits
      v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return v;
    }
    return fail();
  }

  std::string_view bytes() {
    const uint64_t n = varint();
    if (failed_ || n > static_cast<uint64_t>(end_ - p_)) {
      fail();
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return s;
  }

  bool failed() const { return failed_; }
  bool at_end() const { return p_ == end_; }

 private:
  uint64_t fail() {
    failed_ = true;
    p_ = end_;
    return 0;
  }

  const unsigned char* p_;
  const unsigned char* end_;
  bool failed_ = false;
};

// Checks the header of `blob` and positions `reader` after the block number and the names.
// Returns the problem, or "" with `rows` and `names` set.
std::string open_blob(std::string_view blob, uint32_t magic, int64_t block, uint32_t& rows,
                      std::vector<std::string_view>& names, Reader& reader) {
  if (blob.size() < kHeaderBytes) return "shorter than its header";
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (get_u32(p) != magic) return "not a block of this kind (magic)";
  rows = get_u32(p + 4);
  if (rows == 0 || rows > kBlockIds) return "row count out of range";
  uint64_t sum;
  std::memcpy(&sum, p + 8, 8);
  if (checksum(p + kHeaderBytes, blob.size() - kHeaderBytes) != sum) return "checksum mismatch";
  reader = Reader(p + kHeaderBytes, p + blob.size());
  if (unzigzag(reader.varint()) != block || reader.failed()) return "stored under another block";
  const uint64_t count = reader.varint();
  if (reader.failed() || count > kMaxNames) return "bad name table";
  names.clear();
  for (uint64_t i = 0; i < count; ++i) {
    names.push_back(reader.bytes());
    if (reader.failed()) return "bad name table";
  }
  return "";
}

// Reads the next id of a block, checking it stays inside it.
bool next_id(Reader& r, int64_t block, int64_t& id) {
  const uint64_t gap = r.varint();
  // id + 1 + gap <= last id of the block, written without overflow.
  const int64_t room = last_id_of(block) - id;  // > 0 while another id fits
  if (r.failed() || room <= 0 || gap > static_cast<uint64_t>(room - 1)) return false;
  id += 1 + static_cast<int64_t>(gap);
  return true;
}

bool fits_u32(uint64_t v) { return v <= std::numeric_limits<uint32_t>::max(); }

}  // namespace

RelationBlockEncoder::RelationBlockEncoder(int64_t block)
    : block_(block), previous_(first_id_of(block) - 1) {}

void RelationBlockEncoder::add(int64_t id, std::string_view type, int64_t subject, int64_t object,
                               uint32_t evidence_count, uint32_t negated_count,
                               uint32_t attributed_count, int32_t first_seen, int32_t last_seen) {
  put_varint(body_, static_cast<uint64_t>(id - previous_ - 1));
  previous_ = id;
  put_varint(body_, name_index(names_, type));
  put_varint(body_, zigzag(subject));
  put_varint(body_, zigzag(object));
  put_varint(body_, evidence_count);
  put_varint(body_, negated_count);
  put_varint(body_, attributed_count);
  put_varint(body_, zigzag(first_seen));
  put_varint(body_, zigzag(int64_t{last_seen} - first_seen));
  ++rows_;
}

std::string RelationBlockEncoder::finish() {
  return assemble(kRelationMagic, rows_, block_, names_, body_);
}

EntityBlockEncoder::EntityBlockEncoder(int64_t block)
    : block_(block), previous_(first_id_of(block) - 1) {}

void EntityBlockEncoder::add(int64_t id, std::string_view key, std::string_view name,
                             std::string_view kind) {
  put_varint(body_, static_cast<uint64_t>(id - previous_ - 1));
  previous_ = id;
  put_varint(body_, name_index(names_, kind));
  put_bytes(body_, key);
  put_bytes(body_, name);
  ++rows_;
}

std::string EntityBlockEncoder::finish() {
  return assemble(kEntityMagic, rows_, block_, names_, body_);
}

void reseal(std::string& blob) {
  if (blob.size() < kHeaderBytes) return;
  const uint64_t sum = checksum(reinterpret_cast<const unsigned char*>(blob.data()) + kHeaderBytes,
                                blob.size() - kHeaderBytes);
  std::memcpy(blob.data() + 8, &sum, 8);
}

std::string decode_relations(std::string_view blob, int64_t block,
                             const std::vector<std::string>& type_names,
                             std::vector<GraphRelationRow>& out) {
  out.clear();
  uint32_t rows = 0;
  std::vector<std::string_view> names;
  Reader r(nullptr, nullptr);
  std::string problem = open_blob(blob, kRelationMagic, block, rows, names, r);
  if (!problem.empty()) return problem;
  // The blob's names, mapped to the caller's type indices once per block.
  std::vector<int32_t> type_of(names.size(), -1);
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t t = 0; t < type_names.size(); ++t) {
      if (type_names[t] == names[i]) {
        type_of[i] = static_cast<int32_t>(t);
        break;
      }
    }
  }
  out.resize(rows);
  int64_t id = first_id_of(block) - 1;
  for (GraphRelationRow& row : out) {
    if (!next_id(r, block, id)) {
      problem = "bad id";
      break;
    }
    row.id = id;
    const uint64_t type = r.varint();
    row.subject = unzigzag(r.varint());
    row.object = unzigzag(r.varint());
    const uint64_t evidence = r.varint();
    const uint64_t negated = r.varint();
    const uint64_t attributed = r.varint();
    const int64_t first = unzigzag(r.varint());
    const int64_t span = unzigzag(r.varint());
    if (r.failed()) {
      problem = "truncated row";
      break;
    }
    constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
    if (type >= names.size() || !fits_u32(evidence) || !fits_u32(negated) ||
        !fits_u32(attributed) || first < kMin || first > kMax || span < kMin - first ||
        span > kMax - first) {
      problem = "value out of range";
      break;
    }
    row.type = type_of[type];
    row.evidence_count = static_cast<uint32_t>(evidence);
    row.negated_count = static_cast<uint32_t>(negated);
    row.attributed_count = static_cast<uint32_t>(attributed);
    row.first_seen = static_cast<int32_t>(first);
    row.last_seen = static_cast<int32_t>(first + span);
  }
  if (problem.empty() && !r.at_end()) problem = "bytes after the last row";
  if (!problem.empty()) out.clear();
  return problem;
}

std::string decode_entities(std::string_view blob, int64_t block, std::vector<EntityRecord>& out) {
  out.clear();
  uint32_t rows = 0;
  std::vector<std::string_view> names;
  Reader r(nullptr, nullptr);
  std::string problem = open_blob(blob, kEntityMagic, block, rows, names, r);
  if (!problem.empty()) return problem;
  out.resize(rows);
  int64_t id = first_id_of(block) - 1;
  for (EntityRecord& row : out) {
    if (!next_id(r, block, id)) {
      problem = "bad id";
      break;
    }
    row.id = id;
    const uint64_t kind = r.varint();
    const std::string_view key = r.bytes();
    const std::string_view name = r.bytes();
    if (r.failed()) {
      problem = "truncated row";
      break;
    }
    if (kind >= names.size()) {
      problem = "value out of range";
      break;
    }
    row.key.assign(key);
    row.name.assign(name);
    row.kind.assign(names[kind]);
  }
  if (problem.empty() && !r.at_end()) problem = "bytes after the last row";
  if (!problem.empty()) out.clear();
  return problem;
}

}  // namespace relgraph::store::pack
