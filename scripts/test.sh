# ./lx test: every test, against a real RabbitMQ and a FerretDB of the tests' own.
source "$(dirname "$0")/lib.sh"
cd "$LX_ROOT"

export LX_TEST_MONGO_PORT="${LX_TEST_MONGO_PORT:-27018}"
ensure_rabbitmq
ensure_venv
ensure_apt chromium  # the browser the web walks drive (tests/web)
ensure_web
# A store just for tests, emptied each run, so a developer's data is never touched.
if ! mongo_ping "$LX_TEST_MONGO_PORT"; then
  rm -rf "$LX_VAR/test-ferretdb"
fi
start_ferretdb "$LX_TEST_MONGO_PORT" "$LX_VAR/test-ferretdb"
# Killed runs leave test vhosts behind (STACK.md); clear those whose test process is gone
# (vhosts are named lianxin_test_<pid>_<random>), never those of a run still going.
for vh in $(rabbitmqctl -q list_vhosts 2>/dev/null | grep -E '^(nameko_test_|lianxin_test_)' || true); do
  pid="$(echo "$vh" | sed -nE 's/^lianxin_test_([0-9]+)_.*/\1/p')"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
  rabbitmqctl -q delete_vhost "$vh" >/dev/null 2>&1 || true
done
export LX_TEST_MONGO_URI="mongodb://127.0.0.1:$LX_TEST_MONGO_PORT/"
if [ $# -gt 0 ]; then  # the tests asked for (tests/web ones run unpatched on their own)
  exec "$VENV/bin/python" -m pytest "$@"
fi
# Everything: the web console's checks, the Python tests under eventlet, then the browser
# walks in a run of their own (Playwright cannot run under eventlet's monkey patches).
check_web
rc=0
"$VENV/bin/python" -m pytest --ignore=tests/web || rc=$?
"$VENV/bin/python" -m pytest tests/web --suppress-nameko-eventlet-notification || rc=$?
exit "$rc"
