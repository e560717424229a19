// Loading the bundled fixture articles into a test server over HTTP, as a user would.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/test_server.h"

namespace relgraph::testing {

// Posts every fixture article (fixtures/articles) to POST /v1/articles; each must answer 201.
inline void post_fixture_articles(TestServer& server) {
  auto c = server.client();
  for (const auto& file : server::fixture_article_files(fixtures_dir())) {
    const auto entries = server::read_article_file(file);
    REQUIRE(entries.size() == 1);
    REQUIRE(entries[0].article);
    const auto& a = *entries[0].article;
    const nlohmann::json body = {{"text", a.text}, {"title", a.title}, {"published_at", a.published_at}};
    auto r = c.Post("/v1/articles", body.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 201);
  }
}

}  // namespace relgraph::testing
