// doctest's main() for graph_test, kept apart so that the test file compiles quickly.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
