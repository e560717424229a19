// The OpenAPI 3.1 description of the REST API (server/openapi.json), compiled into the
// binary and served at GET /v1/openapi.json. tests/http/openapi_test.cpp keeps it true: every
// route the server registers is documented with the parameters it accepts, and every example
// and every live answer validates against the documented schemas.
#pragma once

#include <string_view>

namespace relgraph::server {

// The document's JSON text. Valid for the life of the program.
std::string_view openapi_document();

}  // namespace relgraph::server
