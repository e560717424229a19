// The bodies of relgraph's libFuzzer targets, as plain functions so that the regression test
// (tests/reliability/fuzz_regressions_test.cpp) replays saved inputs through exactly the code
// the fuzzers ran, in the ordinary g++ build without libFuzzer.
//
// Each function takes arbitrary bytes, never throws, and calls std::abort() (after printing
// what broke) when relgraph crashes or breaks one of its invariants on them.
#pragma once

#include <string>
#include <string_view>

namespace relgraph::fuzz {

// What happens when an invariant breaks: by default the message is printed and the process
// aborts (what libFuzzer needs). Tests install a handler that throws, to report and go on.
using FailureHandler = void (*)(const std::string& message);
void set_failure_handler(FailureHandler handler);

// ingest::tokenize and split_sentences on the raw bytes (valid UTF-8 or not), and, when the
// bytes are valid UTF-8 as the API requires, ingest::extract with and without a publication
// date. Checks token, sentence and relation offsets and indexes.
void run_extract(std::string_view data);

// The bytes as an HTTP/NDJSON article body: nlohmann parse (no exceptions), then
// server::article_from_json, and for a valid article Service::ingest into a scratch store
// (twice: the second must be a duplicate). Checks every evidence sentence is the text at its
// offsets.
void run_article_json(std::string_view data);

// The bytes as the target of a GET request ("/v1/paths?from=...&types=..."), sent to the real
// HttpApi on a loopback port over a store holding the fixture articles. Checks the answer is
// JSON, is never a 5xx, and every error has a code and a message.
void run_params(std::string_view data);

}  // namespace relgraph::fuzz
