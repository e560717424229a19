// The one error table of the REST API: every failure a client can see is an ApiError, and
// each error code has one HTTP status. Serialised as api.md's error body:
//   {"error": {"code": "bad_request", "message": "...", "param": "depth"}}
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace relgraph::server {

enum class ErrorCode {
  bad_request,             // 400: malformed input or parameter
  unauthorized,            // 401
  forbidden,               // 403
  not_found,               // 404: unknown id, key or route
  method_not_allowed,      // 405
  ambiguous,               // 409: a name that fits several entities
  length_required,         // 411
  payload_too_large,       // 413
  unsupported_media_type,  // 415: a body that is not JSON
  rate_limited,            // 429: too many requests from one client
  not_ready,               // 503
  internal,                // 500
};

int http_status(ErrorCode code);
const char* code_name(ErrorCode code);
// The code for an HTTP status that did not come from a handler (e.g. 413 from the server).
ErrorCode code_for_status(int status);

struct ApiError {
  ErrorCode code = ErrorCode::bad_request;
  std::string message;
  std::string param;                      // the parameter at fault, if one is
  nlohmann::json candidates = nullptr;    // for `ambiguous`: the entities the name fits
  int retry_after = 0;                    // seconds, sent as Retry-After when > 0

  nlohmann::json to_json() const;
};

inline ApiError bad_param(std::string param, std::string message) {
  return {ErrorCode::bad_request, std::move(message), std::move(param), nullptr};
}

// A value or the ApiError that prevented it.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(ApiError error) : v_(std::move(error)) {}  // NOLINT
  explicit operator bool() const { return v_.index() == 0; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace relgraph::server
