// Replays every input saved in fuzz-regressions/<target>/ through the fuzz target's body
// (fuzz/harness.cpp): a finding that is fixed stays fixed. A broken invariant fails the check
// for that file (with the harness's message); a crash crashes the test.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/harness.h"
#include "support/fixtures.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(RELGRAPH_FUZZ_REGRESSIONS_DIR) / target;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

template <typename F>
void replay(const std::string& target, F&& run) {
  relgraph::fuzz::set_failure_handler([](const std::string& message) {
    throw std::runtime_error(message);
  });
  for (const auto& p : inputs(target)) {
    INFO("replaying " << p.string());
    CHECK_NOTHROW(run(relgraph::testing::read_text(p)));
  }
}

}  // namespace

TEST_CASE("fuzz regressions: extract") { replay("extract", relgraph::fuzz::run_extract); }
TEST_CASE("fuzz regressions: article_json") { replay("article_json", relgraph::fuzz::run_article_json); }
// Regression (params/huge-*-id-500): an id past int64 in GET /v1/articles/{id} and
// /v1/relations/{id}/evidence gave a 500 instead of a 404.
TEST_CASE("fuzz regressions: params") {
  replay("params", relgraph::fuzz::run_params);
}
