// The snapshot image file: a header, then the base's arrays as sections, each padded to 8 bytes.
//
//   Header      magic, format, byte order and struct sizes, the caller's Tag and flags, the
//               scalars of the base, each section's byte length and checksum, and a checksum of
//               the header itself (checked before anything is allocated from its lengths)
//   sections    in Section order; raw little-endian arrays of the types named there
//
// The file is only ever read by the build that wrote it (byte order and struct sizes are in
// the header, and the format number changes with the layout), so the arrays are written and
// read as they lie in memory.

#include "graph/snapshot_image.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace detail {

// Reaches the relation table's private arrays for the image (and nothing else does).
struct ImageCodec {
  static const std::vector<RelationRecord>& records(const RelationTable& t) { return t.records_; }
  static const std::vector<int64_t>& ids(const RelationTable& t) { return t.ids_; }
  static const std::vector<uint32_t>& wide_index(const RelationTable& t) { return t.wide_index_; }
  static const std::vector<RelationFacts>& wide_facts(const RelationTable& t) {
    return t.wide_facts_;
  }
  static void assign(RelationTable& t, std::vector<RelationRecord> records, int64_t first_id,
                     std::vector<int64_t> ids, std::vector<uint32_t> wide_index,
                     std::vector<RelationFacts> wide_facts) {
    t.records_ = std::move(records);
    t.first_id_ = first_id;
    t.ids_ = std::move(ids);
    t.wide_index_ = std::move(wide_index);
    t.wide_facts_ = std::move(wide_facts);
  }
};

}  // namespace detail

namespace {

using detail::Base;
using detail::EndBundle;
using detail::RelationFacts;
using detail::RelationRecord;

constexpr char kMagic[8] = {'R', 'G', 'S', 'N', 'A', 'P', 'I', 'M'};
// 2: the hub index as two arrays (neighbours, bundles); 3: the undirected adjacencies.
constexpr uint32_t kFormat = 3;
constexpr uint32_t kByteOrder = 0x01020304;
constexpr uint32_t kLayout =
    sizeof(RelationRecord) | sizeof(EndBundle) << 8 | sizeof(RelationFacts) << 24;

enum Section : size_t {
  kEntityIds,        // int64 per vertex, increasing
  kStringLengths,    // uint32 key length, name length per vertex
  kStringBytes,      // the keys and names, concatenated: the EntityTable's arena as it lies
  kKinds,            // uint16 kind code per vertex
  kKindNameLengths,  // uint32 per kind code
  kKindNameBytes,    // the kind names, concatenated
  kRecords,          // RelationRecord per relation
  kRelationIds,      // int64 per relation, or empty when the ids are consecutive
  kWideIndex,        // uint32
  kWideFacts,        // RelationFacts
  kLiveRowstart,     // uint32, vertices + 1 (Base::live)
  kLiveColumn,       // uint32 neighbour per end
  kLiveBundles,      // EndBundle per end
  kNegatedRowstart,  // the same for Base::negated
  kNegatedColumn,
  kNegatedBundles,
  kSectionCount
};

struct Header {
  char magic[8];
  uint32_t format;
  uint32_t byte_order;
  uint32_t layout;
  uint32_t dense_entity_ids;
  uint64_t tag[8];
  uint64_t flags;
  int64_t relation_first_id;
  int64_t first_entity_id;
  int64_t latest_day;
  uint64_t section_bytes[kSectionCount];
  uint64_t section_hash[kSectionCount];
  uint64_t header_hash;  // of every byte before it
};

uint64_t padded(uint64_t bytes) { return (bytes + 7) & ~uint64_t{7}; }

// A 64-bit checksum in the manner of xxHash64 (four independent lanes, so it runs at memory
// speed). It detects damage, not tampering.
constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t mix_round(uint64_t acc, uint64_t input) {
  return rotl(acc + input * kP2, 31) * kP1;
}

uint64_t checksum(const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
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

template <class T>
std::pair<const void*, uint64_t> bytes_of(const std::vector<T>& v) {
  return {v.data(), uint64_t{v.size()} * sizeof(T)};
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, const void* data, uint64_t n, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t done = ::write(fd, p, std::min<uint64_t>(n, uint64_t{1} << 30));
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) {
      throw std::runtime_error("cannot write the snapshot image " + path + ": " +
                               std::strerror(errno));
    }
    p += done;
    n -= static_cast<uint64_t>(done);
  }
}

// Reads exactly n bytes; false at end of file or on error.
bool read_all(int fd, void* data, uint64_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t done = ::read(fd, p, std::min<uint64_t>(n, uint64_t{1} << 30));
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return false;
    p += done;
    n -= static_cast<uint64_t>(done);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reading

// Thrown inside read() for a file that cannot be used; read() turns it into Loaded::problem.
struct BadImage {
  std::string problem;
};

class SectionReader {
 public:
  SectionReader(int fd, const Header& header) : fd_(fd), header_(header) {}

  template <class T>
  std::vector<T> next(Section section) {
    const uint64_t bytes = header_.section_bytes[section];
    if (bytes % sizeof(T) != 0) throw BadImage{"bad length of section " + name(section)};
    std::vector<T> out(bytes / sizeof(T));
    if (!read_all(fd_, out.data(), bytes)) throw BadImage{"truncated in section " + name(section)};
    if (checksum(out.data(), bytes) != header_.section_hash[section]) {
      throw BadImage{"checksum mismatch in section " + name(section)};
    }
    // The padding is zeros: every byte of the file is checked by something.
    char pad[8] = {};
    if (padded(bytes) != bytes && !read_all(fd_, pad, padded(bytes) - bytes)) {
      throw BadImage{"truncated in section " + name(section)};
    }
    for (char c : pad) {
      if (c != 0) throw BadImage{"damaged padding after section " + name(section)};
    }
    return out;
  }

 private:
  static std::string name(Section section) { return std::to_string(static_cast<int>(section)); }
  int fd_;
  const Header& header_;
};

void require(bool ok, const char* what) {
  if (!ok) throw BadImage{std::string("inconsistent image: ") + what};
}

// A CSR row-start array over `vertices` vertices and `edges` edges: starts at 0, never
// decreases, ends at edges.
void check_rowstart(const std::vector<uint32_t>& rowstart, size_t vertices, size_t edges,
                    const char* what) {
  require(rowstart.size() == vertices + 1 && rowstart.front() == 0 && rowstart.back() == edges,
          what);
  for (size_t v = 0; v < vertices; ++v) require(rowstart[v] <= rowstart[v + 1], what);
}

std::vector<std::string> split(const std::vector<uint32_t>& lengths, const std::string& bytes,
                               const char* what) {
  std::vector<std::string> out;
  out.reserve(lengths.size());
  size_t at = 0;
  for (uint32_t length : lengths) {
    require(length <= bytes.size() - at, what);
    out.emplace_back(bytes, at, length);
    at += length;
  }
  require(at == bytes.size(), what);
  return out;
}

// Reads an adjacency from its three sections, from `rowstart` on, and checks what lookups
// rely on: indices in range, and each vertex's ends sorted by (neighbour, relation).
void read_adjacency(SectionReader& in, Section rowstart, size_t vertices, size_t relations,
                    detail::Adjacency& graph) {
  std::vector<uint32_t> starts = in.next<uint32_t>(rowstart);
  std::vector<uint32_t> column = in.next<uint32_t>(static_cast<Section>(rowstart + 1));
  std::vector<EndBundle> bundles = in.next<EndBundle>(static_cast<Section>(rowstart + 2));
  const size_t ends = column.size();
  check_rowstart(starts, vertices, ends, "adjacency");
  require(bundles.size() == ends, "adjacency bundles");
  for (size_t v = 0; v < vertices; ++v) {
    for (uint32_t e = starts[v]; e < starts[v + 1]; ++e) {
      const EndBundle& end = bundles[e];
      require(column[e] < vertices && end.relation < relations && end.way() <= detail::kWayBoth,
              "adjacency ends");
      require(e == starts[v] || column[e - 1] < column[e] ||
                  (column[e - 1] == column[e] && bundles[e - 1].relation < end.relation),
              "adjacency order");
    }
  }
  graph = detail::Adjacency(static_cast<uint32_t>(vertices));
  graph.m_forward.m_rowstart = std::move(starts);
  graph.m_forward.m_column = std::move(column);
  graph.m_forward.m_edge_properties = std::move(bundles);
}

std::unique_ptr<Snapshot::Impl> read_base(int fd, const Header& h, uint64_t version) {
  SectionReader in(fd, h);
  auto base = std::make_shared<Base>();
  auto impl = std::make_unique<Snapshot::Impl>();
  impl->version_ = version;

  // Entities.
  std::vector<int64_t> ids = in.next<int64_t>(kEntityIds);
  const size_t vertices = ids.size();
  require(vertices < detail::kNoIndex, "entity count");
  for (size_t v = 0; v < vertices; ++v) {
    require(ids[v] > 0 && (v == 0 || ids[v] > ids[v - 1]), "entity ids");
  }
  std::vector<uint32_t> lengths = in.next<uint32_t>(kStringLengths);
  require(lengths.size() == 2 * vertices, "entity string lengths");
  std::vector<char> text = in.next<char>(kStringBytes);
  std::vector<uint16_t> kinds = in.next<uint16_t>(kKinds);
  require(kinds.size() == vertices, "entity kinds");
  const std::vector<uint32_t> kind_lengths = in.next<uint32_t>(kKindNameLengths);
  const std::vector<char> kind_text = in.next<char>(kKindNameBytes);
  impl->kind_names_ =
      split(kind_lengths, std::string(kind_text.begin(), kind_text.end()), "kind names");
  for (size_t v = 0; v < vertices; ++v) {
    require(kinds[v] < impl->kind_names_.size(), "entity kind codes");
  }
  // The text becomes the entity table's arena as it is, without a string per entity.
  require(base->entities.assign(std::move(text), lengths, kinds), "entity strings");
  lengths = {};
  kinds = {};
  base->entity_index.assign(ids);
  base->dense_entity_ids = h.dense_entity_ids != 0;
  base->first_entity_id = h.first_entity_id;
  require(base->dense_entity_ids ==
              (vertices == 0 || ids.back() - ids.front() == static_cast<int64_t>(vertices) - 1),
          "entity id density");
  require(vertices == 0 || !base->dense_entity_ids || h.first_entity_id == ids.front(),
          "first entity id");
  if (!base->dense_entity_ids) base->entity_ids = std::move(ids);
  base->key_index.assign(static_cast<uint32_t>(vertices),
                         [&](uint32_t v) { return base->entities.key(v); });

  // Relations.
  std::vector<RelationRecord> records = in.next<RelationRecord>(kRecords);
  const size_t relations = records.size();
  require(relations < detail::kNoIndex - 1, "relation count");
  std::vector<int64_t> relation_ids = in.next<int64_t>(kRelationIds);
  std::vector<uint32_t> wide_index = in.next<uint32_t>(kWideIndex);
  std::vector<RelationFacts> wide_facts = in.next<RelationFacts>(kWideFacts);
  require(wide_index.size() == wide_facts.size(), "wide relations");
  size_t wide = 0;
  for (uint32_t r = 0; r < relations; ++r) {
    const RelationRecord& record = records[r];
    // RelationTable::facts finds a wide record's values by binary search: each must be there.
    if (record.wide()) {
      require(wide < wide_index.size() && wide_index[wide] == r, "wide relations");
      ++wide;
    }
  }
  require(wide == wide_index.size(), "wide relations");
  if (!relation_ids.empty()) {
    require(relation_ids.size() == relations, "relation ids");
    for (size_t r = 0; r < relations; ++r) {
      require(relation_ids[r] > 0 && (r == 0 || relation_ids[r] > relation_ids[r - 1]),
              "relation ids");
    }
    base->relation_index.assign(relation_ids);
  } else {
    require(relations == 0 || h.relation_first_id > 0, "relation ids");
  }
  detail::ImageCodec::assign(base->relations, std::move(records), h.relation_first_id,
                             std::move(relation_ids), std::move(wide_index), std::move(wide_facts));
  base->latest_day = static_cast<int32_t>(h.latest_day);

  // The graph: its hubs' fences follow from it. Each relation's end at its subject must lie in
  // the adjacency its facts put it in (Base::relation_ends reads there). That it is the
  // relation's own end is the writer's word: checking would cost a cache miss per relation.
  read_adjacency(in, kLiveRowstart, vertices, relations, base->live);
  read_adjacency(in, kNegatedRowstart, vertices, relations, base->negated);
  const size_t live_ends = base->live.m_forward.m_column.size();
  const size_t negated_ends = base->negated.m_forward.m_column.size();
  for (uint32_t r = 0; r < relations; ++r) {
    const uint32_t e = base->relations.record(r).subject_end;
    require(e < (base->relations.negated_only(r) ? negated_ends : live_ends), "relation ends");
  }
  base->index_hubs();

  char extra;
  if (read_all(fd, &extra, 1)) throw BadImage{"bytes after the last section"};
  impl->base_ = std::move(base);
  return impl;
}

}  // namespace

void SnapshotImage::write(const Snapshot& snapshot, const Tag& tag, uint64_t flags,
                          const std::string& path) {
  std::shared_ptr<const Snapshot> folded;
  const Snapshot* source = &snapshot;
  if (!snapshot.impl().overlay_.empty()) {
    folded = snapshot.folded();
    source = folded.get();
  }
  const Snapshot::Impl& impl = source->impl();
  const Base& base = *impl.base_;

  std::vector<int64_t> entity_ids;
  std::vector<uint32_t> lengths;
  std::vector<uint16_t> kinds;
  entity_ids.reserve(base.vertex_count());
  lengths.reserve(2 * size_t{base.vertex_count()});
  kinds.reserve(base.vertex_count());
  for (uint32_t v = 0; v < base.vertex_count(); ++v) {
    entity_ids.push_back(base.entity_id(v));
    lengths.push_back(base.entities.key_length(v));
    lengths.push_back(base.entities.name_length(v));
    kinds.push_back(base.entities.kind(v));
  }
  std::vector<uint32_t> kind_lengths;
  std::string kind_text;
  for (const std::string& kind : impl.kind_names_) {
    kind_lengths.push_back(static_cast<uint32_t>(kind.size()));
    kind_text += kind;
  }

  std::pair<const void*, uint64_t> sections[kSectionCount];
  sections[kEntityIds] = bytes_of(entity_ids);
  sections[kStringLengths] = bytes_of(lengths);
  sections[kStringBytes] = bytes_of(base.entities.text());
  sections[kKinds] = bytes_of(kinds);
  sections[kKindNameLengths] = bytes_of(kind_lengths);
  sections[kKindNameBytes] = {kind_text.data(), kind_text.size()};
  sections[kRecords] = bytes_of(detail::ImageCodec::records(base.relations));
  sections[kRelationIds] = bytes_of(detail::ImageCodec::ids(base.relations));
  sections[kWideIndex] = bytes_of(detail::ImageCodec::wide_index(base.relations));
  sections[kWideFacts] = bytes_of(detail::ImageCodec::wide_facts(base.relations));
  sections[kLiveRowstart] = bytes_of(base.live.m_forward.m_rowstart);
  sections[kLiveColumn] = bytes_of(base.live.m_forward.m_column);
  sections[kLiveBundles] = bytes_of(base.live.m_forward.m_edge_properties);
  sections[kNegatedRowstart] = bytes_of(base.negated.m_forward.m_rowstart);
  sections[kNegatedColumn] = bytes_of(base.negated.m_forward.m_column);
  sections[kNegatedBundles] = bytes_of(base.negated.m_forward.m_edge_properties);

  Header h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kFormat;
  h.byte_order = kByteOrder;
  h.layout = kLayout;
  h.dense_entity_ids = base.dense_entity_ids ? 1 : 0;
  for (size_t i = 0; i < tag.words.size(); ++i) h.tag[i] = tag.words[i];
  h.flags = flags;
  h.relation_first_id = base.relations.first_id();
  h.first_entity_id = base.first_entity_id;
  h.latest_day = base.latest_day;
  for (size_t s = 0; s < kSectionCount; ++s) {
    h.section_bytes[s] = sections[s].second;
    h.section_hash[s] = checksum(sections[s].first, sections[s].second);
  }
  h.header_hash = checksum(&h, offsetof(Header, header_hash));

  const std::string tmp = path + ".tmp";
  // Not truncated before the lock: another process may be writing this temporary file.
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    throw std::runtime_error("cannot create the snapshot image " + tmp + ": " +
                             std::strerror(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    throw std::runtime_error("the snapshot image " + tmp + " is being written by another process");
  }
  try {
    if (::ftruncate(fd.get(), 0) != 0) {
      throw std::runtime_error("cannot write the snapshot image " + tmp + ": " +
                               std::strerror(errno));
    }
    write_all(fd.get(), &h, sizeof h, tmp);
    static constexpr char kZeros[8] = {};
    for (const auto& [data, bytes] : sections) {
      write_all(fd.get(), data, bytes, tmp);
      write_all(fd.get(), kZeros, padded(bytes) - bytes, tmp);
    }
    // On disk before the rename: after a crash the name holds either the old file or this one.
    // Renamed while still locked, so no other writer can truncate what is being renamed.
    if (::fsync(fd.get()) != 0) {
      throw std::runtime_error("cannot write the snapshot image " + tmp + ": " +
                               std::strerror(errno));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " +
                               std::strerror(errno));
    }
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

SnapshotImage::Loaded SnapshotImage::read(const std::string& path, const Tag& expected,
                                          uint64_t version) {
  Loaded out;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    out.problem = errno == ENOENT ? "missing" : std::string("cannot open: ") + std::strerror(errno);
    return out;
  }
  try {
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) throw BadImage{"cannot stat"};
    // The kernel reads ahead the whole file: it is read from start to end.
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    Header h;
    if (!read_all(fd.get(), &h, sizeof h)) throw BadImage{"truncated header"};
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) throw BadImage{"not a snapshot image"};
    if (h.format != kFormat || h.byte_order != kByteOrder || h.layout != kLayout) {
      throw BadImage{"written by another build of relgraph"};
    }
    if (checksum(&h, offsetof(Header, header_hash)) != h.header_hash) {
      throw BadImage{"checksum mismatch in the header"};
    }
    Tag tag;
    for (size_t i = 0; i < tag.words.size(); ++i) tag.words[i] = h.tag[i];
    if (!(tag == expected)) {
      out.problem = "stale";
      return out;
    }
    uint64_t total = sizeof h;
    for (uint64_t bytes : h.section_bytes) {
      if (bytes > static_cast<uint64_t>(st.st_size)) throw BadImage{"truncated"};
      total += padded(bytes);
    }
    if (total != static_cast<uint64_t>(st.st_size)) throw BadImage{"truncated or overlong"};
    std::unique_ptr<Snapshot::Impl> impl = read_base(fd.get(), h, version);
    out.snapshot = std::shared_ptr<const Snapshot>(new Snapshot(std::move(impl)));
    out.flags = h.flags;
  } catch (const BadImage& bad) {
    out.problem = bad.problem;
  } catch (const std::length_error&) {
    out.problem = "section too large";
  }
  return out;
}

}  // namespace relgraph::graph
