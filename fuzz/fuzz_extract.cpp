// libFuzzer target: see harness.h (run_extract) and README.md.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  relgraph::fuzz::run_extract(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
