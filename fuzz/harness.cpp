#include "fuzz/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ingest/extraction.h"
#include "ingest/text.h"
#include "server/article_input.h"
#include "server/http_api.h"
#include "server/knowledge_loader.h"
#include "server/service.h"

#ifndef RELGRAPH_FIXTURES_DIR
#define RELGRAPH_FIXTURES_DIR "fixtures"
#endif

namespace relgraph::fuzz {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

FailureHandler failure_handler = nullptr;

[[noreturn]] void broken(const std::string& what) {
  if (failure_handler) failure_handler(what);
  std::fprintf(stderr, "relgraph fuzz: invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(cond, what)                                        \
  do {                                                                \
    if (!(cond)) broken(std::string(#cond) + ": " + std::string(what)); \
  } while (0)

const ingest::Knowledge& knowledge() {
  static const ingest::Knowledge* k = new ingest::Knowledge(server::bundled_knowledge());
  return *k;
}

std::unique_ptr<server::Service> open_service(const fs::path& db) {
  auto k = server::bundled_knowledge();
  std::vector<std::string> symmetric;
  for (const auto& t : k.relation_types())
    if (t.symmetric) symmetric.push_back(t.name);
  return std::make_unique<server::Service>(std::move(k), store::Store::open(db.string(), symmetric));
}

// A scratch directory (on tmpfs when there is one), removed at exit.
const fs::path& scratch_dir() {
  static const fs::path* dir = [] {
    fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "relgraph-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) broken("cannot create a scratch directory");
    auto* p = new fs::path(tmpl);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(*dir, ec);
    });
    return p;
  }();
  return *dir;
}

void check_tokens(std::string_view text, const std::vector<ingest::Token>& tokens,
                  const std::vector<ingest::SentenceSpan>& sentences) {
  uint32_t prev_end = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    FUZZ_CHECK(t.start < t.end, "empty token " + std::to_string(i));
    FUZZ_CHECK(t.end <= text.size(), "token " + std::to_string(i) + " ends past the text");
    FUZZ_CHECK(t.start >= prev_end, "token " + std::to_string(i) + " overlaps the previous one");
    prev_end = t.end;
  }
  uint32_t prev_token = 0;
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto& s = sentences[i];
    FUZZ_CHECK(s.first_token < s.end_token, "empty sentence " + std::to_string(i));
    FUZZ_CHECK(s.end_token <= tokens.size(), "sentence " + std::to_string(i) + " past the tokens");
    FUZZ_CHECK(s.first_token >= prev_token, "sentence " + std::to_string(i) + " overlaps");
    FUZZ_CHECK(s.start <= s.end && s.end <= text.size(), "sentence offsets " + std::to_string(i));
    FUZZ_CHECK(s.start == tokens[s.first_token].start && s.end == tokens[s.end_token - 1].end,
               "sentence " + std::to_string(i) + " offsets are not its tokens'");
    prev_token = s.end_token;
  }
}

void check_extraction(std::string_view text, const ingest::Extraction& x) {
  const auto& types = knowledge().relation_types();
  for (size_t i = 0; i < x.sentences.size(); ++i) {
    const auto& s = x.sentences[i];
    FUZZ_CHECK(s.start <= s.end && s.end <= text.size(), "sentence " + std::to_string(i));
    FUZZ_CHECK(s.index == i, "sentence index " + std::to_string(i));
  }
  for (const auto& e : x.entities) {
    FUZZ_CHECK(!e.key.empty(), "an entity without key");
    FUZZ_CHECK(!e.name.empty(), "entity " + e.key + " without name");
    FUZZ_CHECK(ingest::is_valid_utf8(e.key) && ingest::is_valid_utf8(e.name),
               "entity " + e.key + " is not UTF-8");
    for (const auto& a : e.aliases) FUZZ_CHECK(ingest::is_valid_utf8(a), "alias not UTF-8: " + e.key);
  }
  for (const auto& r : x.relations) {
    FUZZ_CHECK(r.type < types.size(), "relation type index");
    FUZZ_CHECK(r.subject < x.entities.size() && r.object < x.entities.size(), "relation entity index");
    FUZZ_CHECK(r.sentence < x.sentences.size(), "relation sentence index");
    FUZZ_CHECK(r.confidence >= 0 && r.confidence <= 1, "confidence out of 0..1");
    if (types[r.type].symmetric) FUZZ_CHECK(r.subject < r.object, "symmetric pair not ordered");
  }
}

}  // namespace

void set_failure_handler(FailureHandler handler) { failure_handler = handler; }

void run_extract(std::string_view data) {
  // The tokeniser and sentence splitter on anything (invalid bytes become punctuation).
  const auto tokens = ingest::tokenize(data);
  const auto sentences = ingest::split_sentences(tokens);
  check_tokens(data, tokens, sentences);
  if (!ingest::is_valid_utf8(data)) return;  // the API rejects these before extraction
  check_extraction(data, ingest::extract(data, std::nullopt, knowledge()));
  // A publication date picks office holders ("the Russian president").
  check_extraction(data, ingest::extract(data, ingest::days_from_iso("2016-06-01"), knowledge()));
}

void run_article_json(std::string_view data) {
  json body = json::parse(data.begin(), data.end(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return;
  auto article = server::article_from_json(body);
  if (!article) {
    FUZZ_CHECK(!article.error().message.empty(), "an error without message");
    return;
  }
  FUZZ_CHECK(ingest::is_valid_utf8(article->text), "accepted text is not UTF-8");
  FUZZ_CHECK(article->published_at.empty() || ingest::days_from_iso(article->published_at),
             "accepted a bad published_at");

  // Store it in a scratch database, replaced now and then so it stays small.
  static std::unique_ptr<server::Service> svc;
  static int stored = 0, generation = 0;
  if (!svc || stored >= 2000) {
    svc.reset();
    const fs::path db = scratch_dir() / ("articles-" + std::to_string(generation++) + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      fs::remove(scratch_dir() / ("articles-" + std::to_string(generation - 2) + ".db" + suffix), ec);
    }
    svc = open_service(db);
    stored = 0;
  }
  ++stored;
  // Storing a valid article must not throw (StoreError is for a failing disk or database).
  auto ingest = [&](const store::ArticleInput& a) {
    try {
      return svc->ingest(a);
    } catch (const std::exception& e) {
      broken(std::string("ingest threw: ") + e.what());
    }
  };
  const auto before = svc->snapshot()->version();
  const auto done = ingest(*article);
  const std::string& text = article->text;
  FUZZ_CHECK(done.graph_version >= before, "graph version went backwards");
  const auto snap = svc->snapshot();
  for (const auto& e : done.outcome.evidence) {
    FUZZ_CHECK(e.char_start <= e.char_end && e.char_end <= text.size(), "evidence offsets");
    FUZZ_CHECK(text.substr(e.char_start, e.char_end - e.char_start) == e.sentence,
               "evidence sentence is not the text at its offsets");
    FUZZ_CHECK(snap->entity(e.subject.id) && snap->entity(e.object.id),
               "evidence entity missing from the published graph");
  }
  // What the API answers must serialise as UTF-8 (the server would replace bad bytes).
  json out = json::array();
  for (const auto& e : done.outcome.entities) out.push_back({e.key, e.name, e.aliases});
  for (const auto& e : done.outcome.evidence) out.push_back({e.sentence, e.subject.name, e.object.name});
  try {
    (void)out.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const std::exception& e) {
    broken(std::string("the ingest answer is not UTF-8: ") + e.what());
  }
  const auto again = ingest(*article);
  FUZZ_CHECK(again.outcome.duplicate, "the same text was stored twice");
  FUZZ_CHECK(again.outcome.article.id == done.outcome.article.id, "duplicate has another id");
  FUZZ_CHECK(again.outcome.evidence.size() == done.outcome.evidence.size(),
             "duplicate answer has other evidence");
}

namespace {

class ParamsServer {
 public:
  ParamsServer() {
    const fs::path db = scratch_dir() / "params.db";
    svc_ = open_service(db);
    const char* env = std::getenv("RELGRAPH_FIXTURES");
    const fs::path fixtures = env ? env : RELGRAPH_FIXTURES_DIR;
    std::vector<store::ArticleInput> articles;
    for (const auto& f : server::fixture_article_files(fixtures))
      for (auto& entry : server::read_article_file(f))
        if (entry.article) articles.push_back(std::move(*entry.article));
    if (articles.empty()) broken("no fixture articles in " + fixtures.string());
    svc_->ingest_batch(articles);
    server::HttpOptions options;
    options.port = 0;
    options.threads = 2;
    options.log_requests = false;  // one line per request would drown the fuzzer's output
    api_ = std::make_unique<server::HttpApi>(*svc_, options);
    std::string error;
    if (!api_->bind(error)) broken("cannot bind: " + error);
    thread_ = std::thread([this] { api_->serve(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!api_->running()) {
      if (std::chrono::steady_clock::now() > deadline) broken("server did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    thread_.detach();  // lives until the process exits
  }
  int port() const { return api_->bound_port(); }

 private:
  std::unique_ptr<server::Service> svc_;
  std::unique_ptr<server::HttpApi> api_;
  std::thread thread_;
};

// Sends one request on a fresh keep-alive connection, reads the answer, and resets the
// connection: the client closes first and with RST, so neither end keeps a TIME_WAIT socket
// (a thousand connections a second would otherwise exhaust the loopback ports within a minute).
std::string exchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) broken("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  // Read the head, then Content-Length bytes of body (the connection stays open after it).
  std::string reply;
  char buf[16384];
  size_t want = std::string::npos;
  while (want == std::string::npos || reply.size() < want) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
    const size_t head_end = reply.find("\r\n\r\n");
    if (want == std::string::npos && head_end != std::string::npos) {
      std::string head = reply.substr(0, head_end);
      for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t cl = head.find("\r\ncontent-length:");
      if (cl != std::string::npos)
        want = head_end + 4 + std::strtoull(head.c_str() + cl + 17, nullptr, 10);
    }
  }
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
  return reply;
}

}  // namespace

void run_params(std::string_view data) {
  static ParamsServer* server = new ParamsServer();
  // The request target: the fuzzer's bytes, with what cannot appear raw in a request line
  // (controls, space, non-ASCII, '#') percent-encoded, so that every input reaches routing and
  // the parameter parsing and decoded parameters may hold any byte.
  std::string target = "/";
  size_t i = 0;
  if (!data.empty() && data[0] == '/') i = 1;
  for (; i < data.size(); ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c <= 0x20 || c >= 0x7f || c == '#') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      target += hex;
    } else {
      target += static_cast<char>(c);
    }
  }
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  // No answer at all is retried (a refused connect under load); a server that really drops
  // the request does it again.
  std::string reply;
  for (int attempt = 0; attempt < 3 && reply.empty(); ++attempt) {
    if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reply = exchange(server->port(), request);
  }
  if (std::getenv("RELGRAPH_FUZZ_SLOW")) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (ms > 20) std::fprintf(stderr, "SLOW %lld ms: %s\n", static_cast<long long>(ms), target.c_str());
  }
  FUZZ_CHECK(reply.rfind("HTTP/1.1 ", 0) == 0, "no HTTP answer to GET " + target);
  const int status = std::atoi(reply.c_str() + 9);
  const size_t head_end = reply.find("\r\n\r\n");
  FUZZ_CHECK(head_end != std::string::npos, "no end of headers for GET " + target);
  const std::string body = reply.substr(head_end + 4);
  FUZZ_CHECK(status >= 200 && status < 500,
             "HTTP " + std::to_string(status) + " for GET " + target + ": " + body.substr(0, 300));
  json j = json::parse(body, nullptr, false);
  FUZZ_CHECK(!j.is_discarded(), "answer is not JSON for GET " + target + ": " + body.substr(0, 300));
  if (status >= 400) {
    FUZZ_CHECK(j.contains("error") && j["error"].contains("code") && j["error"].contains("message"),
               "error answer without code and message for GET " + target);
  }
}

}  // namespace relgraph::fuzz
