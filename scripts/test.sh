# ./lx test [unit|integration|e2e|web|lint]   every test, or one kind of them
# ./lx test <pytest args>                      just those tests (pytest under the same setup)
# Each sets up what it needs: the venv always; RabbitMQ and a FerretDB of the tests' own for
# the tests that use them; the web console's packages and build for its checks and walks.
source "$(dirname "$0")/lib.sh"
cd "$LX_ROOT"

export LX_TEST_MONGO_PORT="${LX_TEST_MONGO_PORT:-27018}"
# The tests wait for sweeps and retries: they run them faster than a deployment's defaults
# (lianxin/settings.py), as they always have. The e2e systems set their own on top.
# Their services also stop within a second or two (LX_CONSUMER_WAKE_SECONDS).
export LX_SWEEP_INTERVAL="${LX_SWEEP_INTERVAL:-5}" LX_DELIVERY_POLL_SECONDS="${LX_DELIVERY_POLL_SECONDS:-1}"
export LX_CONSUMER_WAKE_SECONDS="${LX_CONSUMER_WAKE_SECONDS:-1}"
PYTEST=("$VENV/bin/python" -m pytest)
WALKS=(tests/web --suppress-nameko-eventlet-notification)  # no eventlet patches for Playwright

servers() {
  ensure_rabbitmq
  # A store just for tests, emptied each run, so a developer's data is never touched.
  if ! mongo_ping "$LX_TEST_MONGO_PORT"; then
    rm -rf "$LX_VAR/test-ferretdb"
  fi
  start_ferretdb "$LX_TEST_MONGO_PORT" "$LX_VAR/test-ferretdb"
  # Killed runs leave test vhosts behind (docs/platform.md §2); clear those whose test process is gone
  # (vhosts are named lianxin_test_<pid>_<random>), never those of a run still going.
  for vh in $(rabbitmqctl -q list_vhosts 2>/dev/null | grep -E '^(nameko_test_|lianxin_test_)' || true); do
    pid="$(echo "$vh" | sed -nE 's/^lianxin_test_([0-9]+)_.*/\1/p')"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
    rabbitmqctl -q delete_vhost "$vh" >/dev/null 2>&1 || true
  done
  export LX_TEST_MONGO_URI="mongodb://127.0.0.1:$LX_TEST_MONGO_PORT/"
}

web() {
  ensure_apt chromium  # the browser the web walks drive (tests/web)
  ensure_web
}

lint() {
  # One style and the types of the shared package (pyproject.toml), the console's own checks.
  log "lint: ruff check, ruff format --check, mypy"
  "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check . && "$VENV/bin/mypy"
}

ensure_venv
case "${1:-all}" in
  unit)        shift; exec "${PYTEST[@]}" tests/unit "$@" ;;
  integration) shift; servers; exec "${PYTEST[@]}" tests/integration "$@" ;;
  e2e)         shift; servers; web; exec "${PYTEST[@]}" tests/e2e "$@" ;;
  web)         shift; servers; web; check_web; exec "${PYTEST[@]}" "${WALKS[@]}" "$@" ;;
  lint)        shift; web; lint && check_web; exit $? ;;
  all)
    # Everything: lint and the console's checks, the Python tests under eventlet, then the
    # browser walks in a run of their own (Playwright cannot run under eventlet's patches).
    servers; web
    rc=0
    lint || rc=$?
    check_web || rc=$?
    "${PYTEST[@]}" --ignore=tests/web || rc=$?
    "${PYTEST[@]}" "${WALKS[@]}" || rc=$?
    exit "$rc" ;;
  *) servers; web; exec "${PYTEST[@]}" "$@" ;;  # the tests asked for
esac
