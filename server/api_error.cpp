#include "server/api_error.h"

namespace relgraph::server {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::method_not_allowed: return 405;
    case ErrorCode::ambiguous: return 409;
    case ErrorCode::length_required: return 411;
    case ErrorCode::payload_too_large: return 413;
    case ErrorCode::unsupported_media_type: return 415;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::not_ready: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

const char* code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::method_not_allowed: return "method_not_allowed";
    case ErrorCode::ambiguous: return "ambiguous";
    case ErrorCode::length_required: return "length_required";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::unsupported_media_type: return "unsupported_media_type";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::not_ready: return "not_ready";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

ErrorCode code_for_status(int status) {
  for (ErrorCode c : {ErrorCode::bad_request, ErrorCode::unauthorized, ErrorCode::forbidden,
                      ErrorCode::not_found, ErrorCode::method_not_allowed, ErrorCode::ambiguous,
                      ErrorCode::length_required, ErrorCode::payload_too_large,
                      ErrorCode::unsupported_media_type, ErrorCode::rate_limited,
                      ErrorCode::not_ready})
    if (http_status(c) == status) return c;
  return status >= 500 ? ErrorCode::internal : ErrorCode::bad_request;
}

nlohmann::json ApiError::to_json() const {
  nlohmann::json e = {{"code", code_name(code)}, {"message", message}};
  if (!param.empty()) e["param"] = param;
  if (!candidates.is_null()) e["candidates"] = candidates;
  return {{"error", e}};
}

}  // namespace relgraph::server
