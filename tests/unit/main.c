/* main.c - runs one unit test by name (ctest runs each in its own process),
 * or all of them with no argument. */
#include "test.h"

int test_failures;

#define XX(name) void test_##name(void);
#include "list.h"
#undef XX

static const struct {
  const char *name;
  void (*fn)(void);
} tests[] = {
#define XX(name) {#name, test_##name},
#include "list.h"
#undef XX
};

int main(int argc, char **argv) {
  int ran = 0;
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
    if (argc > 1 && strcmp(argv[1], tests[i].name) != 0) continue;
    int before = test_failures;
    tests[i].fn();
    printf("%s %s\n", test_failures == before ? "ok  " : "FAIL", tests[i].name);
    ran++;
  }
  if (!ran) {
    fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
    return 2;
  }
  return test_failures ? 1 : 0;
}
