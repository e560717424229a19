// A snapshot's base saved to a file and read back whole: cold start without rebuilding the
// graph from rows. Included by graph/graph.h; include that.
//
// The file holds the built structures themselves (the entity table, the compact relation table,
// the two adjacencies), so reading it is a few large sequential reads and the look-up indexes
// that are cheap to recompute (ids, keys, the hubs' fences). The writer states what the
// image was built from in a Tag (the graph module does not know what it means: the server puts
// the store's generation and the ontology in it); the reader is given the Tag the image must
// have and refuses an image with any other: a stale image is never used.
//
// Trust: an image is a cache and may be damaged or truncated, or come from another build of
// relgraph. Every section and the header are checksummed, every index into another array is
// range-checked before the snapshot exists, and any problem makes read() return no snapshot
// with a reason; it never crashes and never returns a graph other than the one written.
//
// Thread-safety: write() reads an immutable Snapshot and may run in any thread, concurrently
// with queries. Both functions are otherwise independent calls with no shared state. Two
// processes writing one path at once: the second throws at once (the temporary file is locked),
// and a reader never sees either half-written.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace relgraph::graph {

class Snapshot;

class SnapshotImage {
 public:
  // What the image was built from, chosen by the caller; images are used only when equal.
  struct Tag {
    std::array<uint64_t, 8> words{};
    bool operator==(const Tag&) const = default;
  };

  // Writes the snapshot (with its overlay folded, if it has one) to `path` + ".tmp", flushes it
  // to disk and renames it to `path`, so `path` is never half-written. `flags` is returned as
  // is by read(). Throws std::runtime_error when the file cannot be written (the temporary file
  // is removed) or another process is writing it. Costs about one pass over the snapshot's
  // memory plus the disk write (~600 MB at 10M relations).
  static void write(const Snapshot& snapshot, const Tag& tag, uint64_t flags,
                    const std::string& path);

  struct Loaded {
    std::shared_ptr<const Snapshot> snapshot;  // null when the image was not usable
    uint64_t flags = 0;                        // as written
    // Why there is no snapshot: "missing", "stale" (its Tag differs), or what was wrong with
    // the file ("checksum mismatch in section 12", "truncated", ...). Empty on success.
    std::string problem;
  };
  // The snapshot saved at `path`, as version `version`, if the file is intact and its Tag is
  // `expected`. Never throws for a bad file (only std::bad_alloc when memory runs out).
  static Loaded read(const std::string& path, const Tag& expected, uint64_t version);
};

}  // namespace relgraph::graph
