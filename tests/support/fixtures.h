// Test access to the bundled fixture articles and their gold files.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace relgraph::testing {

inline std::filesystem::path fixtures_dir() { return RELGRAPH_FIXTURES_DIR; }

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string fixture_text(const std::string& name) {
  return read_text(fixtures_dir() / "articles" / (name + ".txt"));
}

inline nlohmann::json fixture_gold(const std::string& name) {
  return nlohmann::json::parse(read_text(fixtures_dir() / "articles" / (name + ".gold.json")));
}

// A directory that is removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "relgraph-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace relgraph::testing
