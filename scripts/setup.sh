#!/bin/sh
# setup.sh - install the Debian packages dyad needs, when they are missing.
#
#   scripts/setup.sh          build and test dependencies
#   scripts/setup.sh --check  only report what is missing (exit 1 if any)
#
# Runs apt-get as root (or through sudo). Safe to run again: it installs
# only what is not there yet.
set -eu

BUILD="cmake ninja-build gcc clang pkg-config make xxd libcjson-dev libutf8proc-dev
libsqlite3-dev libpq-dev libmicrohttpd-dev libgeonames-dev libclang-rt-14-dev"
TEST="postgresql"
# dyad serve: its browser test (chromium, nodejs; playwright-core comes from
# npm) and its load test (wrk). npm is a Debian package of its own, but part
# of other builds of nodejs: asked for only when the command is missing.
TEST="$TEST chromium nodejs wrk"
command -v npm >/dev/null 2>&1 || TEST="$TEST npm"
# The benchmark (bench/run.sh) and the corpus generators of the tests.
TEST="$TEST python3 bc sqlite3"
# Scale-out recipes and their tests (docs/scale.md): Dask, Slurm, GNU parallel.
TEST="$TEST python3-distributed slurmctld slurmd slurm-client munge parallel"

check=0
if [ "${1:-}" = "--check" ]; then check=1; fi

missing=""
for p in $BUILD $TEST; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi
if [ "$check" = 1 ]; then
  echo "missing packages:$missing"
  exit 1
fi

echo "setup: installing$missing"
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "setup: please install as root: apt-get install$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
