# lib.sh - shared by the serve tests: start `dyad serve` on a free port of
# the loopback and stop it again. Source it; needs $DYAD and $WORK.

# serve_start DB [ARGS...]: sets SERVE_PID and SERVE_URL, or fails.
serve_start() {
  db=$1
  shift
  : > "$WORK/serve.log"
  "$DYAD" serve --db "$db" --port 0 "$@" 2>"$WORK/serve.log" &
  SERVE_PID=$!
  i=0
  SERVE_URL=""
  while [ $i -lt 100 ]; do
    SERVE_URL=$(sed -n 's|^dyad serve: \(http://[^ ]*\) .*|\1|p' "$WORK/serve.log" | head -n 1)
    [ -n "$SERVE_URL" ] && break
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
      echo "dyad serve exited early:"
      cat "$WORK/serve.log"
      return 1
    fi
    sleep 0.1
    i=$((i + 1))
  done
  if [ -z "$SERVE_URL" ]; then
    echo "dyad serve did not start in 10 s:"
    cat "$WORK/serve.log"
    return 1
  fi
  SERVE_PORT=$(echo "$SERVE_URL" | sed 's|.*:\([0-9]*\)/$|\1|')
}

# serve_stop: SIGTERM, then the exit status must be 0 (a clean stop).
serve_stop() {
  [ -n "${SERVE_PID:-}" ] || return 0
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  rc=0
  wait "$SERVE_PID" || rc=$?
  SERVE_PID=""
  if [ "$rc" != 0 ]; then
    echo "dyad serve stopped with status $rc:"
    cat "$WORK/serve.log"
    return 1
  fi
}
