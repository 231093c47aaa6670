/*
 * test.h - a small unit-test harness: TEST(name) defines a test, the
 * ASSERT_* macros print both sides and fail the test. Tests are listed in
 * tests/unit/list.h and run one per process by ctest.
 */
#ifndef DYAD_TEST_H
#define DYAD_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int test_failures;

#define TEST(name)            \
  void test_##name(void);     \
  void test_##name(void)

#define FAIL_AT(...)                                              \
  do {                                                            \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);               \
    fprintf(stderr, __VA_ARGS__);                                 \
    fputc('\n', stderr);                                          \
    test_failures++;                                              \
  } while (0)

#define ASSERT_TRUE(c)                                            \
  do {                                                            \
    if (!(c)) FAIL_AT("expected true: %s", #c);                   \
  } while (0)

#define ASSERT_EQ(a, b)                                           \
  do {                                                            \
    long long _a = (long long)(a), _b = (long long)(b);           \
    if (_a != _b) FAIL_AT("%s == %s: %lld != %lld", #a, #b, _a, _b); \
  } while (0)

#define ASSERT_STR(a, b)                                          \
  do {                                                            \
    const char *_a = (a), *_b = (b);                              \
    if (!_a || !_b || strcmp(_a, _b) != 0)                        \
      FAIL_AT("%s == %s: \"%s\" != \"%s\"", #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
  } while (0)

#define ASSERT_NEAR(a, b, eps)                                    \
  do {                                                            \
    double _a = (a), _b = (b);                                    \
    if (_a - _b > (eps) || _b - _a > (eps)) FAIL_AT("%s ~ %s: %g != %g", #a, #b, _a, _b); \
  } while (0)

#endif
