// Keyset paging while articles are being ingested: every row that existed before paging
// began is returned exactly once, nothing is repeated, and pages follow the keyset (ids
// increasing across pages), whatever the interleaving of pages and ingests.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

std::vector<json> article_bodies(const std::filesystem::path& dir) {
  std::vector<json> out;
  for (const auto& file : relgraph::server::fixture_article_files(dir)) {
    auto entries = relgraph::server::read_article_file(file);
    REQUIRE(entries[0].article);
    const auto& a = *entries[0].article;
    out.push_back({{"text", a.text}, {"title", a.title}, {"published_at", a.published_at}});
  }
  return out;
}

void ingest_all(TestServer& s, const std::vector<json>& bodies) {
  auto c = s.client();
  for (const auto& b : bodies) {
    auto r = c.Post("/v1/articles", b.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 201);
  }
}

// The ids of every page of `list` (the array field of each page), following next_cursor.
std::vector<int64_t> page_ids(TestServer& s, const std::string& path, const std::string& list,
                              int limit, const std::function<void()>& between_pages = {}) {
  auto c = s.client();
  std::vector<int64_t> ids;
  std::string cursor;
  for (int pages = 0; pages < 10000; ++pages) {
    const std::string target =
        path + "?limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor);
    auto r = c.Get(target);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, target << " -> " << r->body);
    const json page = json::parse(r->body);
    CHECK(page[list].size() <= static_cast<size_t>(limit));
    for (const auto& row : page[list]) ids.push_back(row["id"].get<int64_t>());
    if (!page.contains("next_cursor")) return ids;
    cursor = page["next_cursor"].get<std::string>();
    if (between_pages) between_pages();
  }
  FAIL("paging did not end");
  return ids;
}

}  // namespace

TEST_CASE("paging through relations, entities and articles while another thread ingests") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  ingest_all(s, article_bodies(relgraph::testing::fixtures_dir()));
  const std::vector<json> more = article_bodies(relgraph::testing::fixtures_dir() / "dev");
  REQUIRE(more.size() >= 10);

  const struct {
    const char* path;
    const char* list;
  } lists[] = {{"/v1/relations", "relations"}, {"/v1/entities", "entities"}, {"/v1/articles", "articles"}};

  // Each list before any concurrent write, in one page.
  std::vector<std::set<int64_t>> before;
  for (const auto& l : lists) {
    const auto ids = page_ids(s, l.path, l.list, 1000);
    before.emplace_back(ids.begin(), ids.end());
    REQUIRE(before.back().size() == ids.size());
    REQUIRE(ids.size() >= 20);  // several pages of 7 below
  }

  // The writer ingests the dev articles one by one; paging starts once it has stored one, and
  // yields between pages so that ingests land between them.
  std::atomic<int> ingested{0};
  std::thread writer([&] {
    auto c = s.client();
    for (const auto& b : more) {
      auto r = c.Post("/v1/articles", b.dump(), "application/json");
      if (!r || r->status != 201) break;
      ++ingested;
    }
  });
  while (ingested == 0) std::this_thread::yield();

  std::vector<std::vector<int64_t>> paged;
  for (const auto& l : lists)
    paged.push_back(page_ids(s, l.path, l.list, 7, [] { std::this_thread::yield(); }));
  writer.join();
  REQUIRE(ingested == static_cast<int>(more.size()));

  for (size_t i = 0; i < paged.size(); ++i) {
    INFO(lists[i].path);
    const auto& ids = paged[i];
    // The keyset order: ids strictly increase across all pages, so nothing repeats.
    CHECK(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<int64_t>()) == ids.end());
    const std::set<int64_t> seen(ids.begin(), ids.end());
    CHECK(seen.size() == ids.size());
    // Every row that existed before is there, once.
    for (int64_t id : before[i]) {
      INFO("id " << id);
      CHECK(seen.count(id) == 1);
    }
    // Anything else is a row the writer created meanwhile: newer than every earlier row.
    for (int64_t id : seen)
      if (!before[i].count(id)) CHECK(id > *before[i].rbegin());
    // And the writer did create rows in each list (so the pages ran alongside writes).
    const auto after = page_ids(s, lists[i].path, lists[i].list, 1000);
    CHECK(after.size() > before[i].size());
  }
}
