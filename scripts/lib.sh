# Shared setup steps for ./lx: install what is missing, start what must run. Safe to re-run.
# Sourced, not executed.
set -euo pipefail

LX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LX_CACHE="${LX_CACHE:-$HOME/.cache/lianxin}"          # build output kept outside git
LX_VAR="${LX_VAR:-$LX_ROOT/var}"                      # data, logs, pids (gitignored)
FERRETDB_VERSION="v1.24.2"
# -lxN: our patch level, then a digest of the patch series (scripts/ferretdb/), so that any
# change to a patch builds a new binary and start_ferretdb restarts stores run by an older one.
FERRETDB_PATCHES="$(cat "$LX_ROOT"/scripts/ferretdb/*.patch "$LX_ROOT"/scripts/ferretdb/*/*.patch | sha256sum | cut -c1-8)"
FERRETDB_BIN="$LX_CACHE/ferretdb-$FERRETDB_VERSION-lx9-$FERRETDB_PATCHES"
VENV="${LX_VENV:-$LX_ROOT/.venv}"

log() { printf '\033[1;34m[lx]\033[0m %s\n' "$*" >&2; }

ensure_apt() {
  # ensure_apt PKG... : apt-get install what is not installed yet.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rabbitmq() {
  ensure_apt rabbitmq-server
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    log "starting RabbitMQ"
    rabbitmq-server -detached >/dev/null 2>&1 || true
  fi
  local i; for i in $(seq 1 60); do rabbitmqctl -q ping >/dev/null 2>&1 && break; sleep 1; done
  rabbitmqctl -q await_startup --timeout 60 >/dev/null
  if ! rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then
    rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  fi
}

build_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  ensure_apt patch
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy (first time only, ~1 min)"
  local w; w="$(mktemp -d)"
  (
    cd "$w"
    go mod init lianxin.local/ferretdb-build >/dev/null 2>&1
    go get -tool "github.com/FerretDB/FerretDB/cmd/ferretdb@$FERRETDB_VERSION" >/dev/null 2>&1
    # With Go 1.26 the tool build still reports FerretDB as its main module and then panics on
    # the version file the module zip lacks; build a copy of the module with that file written.
    src="$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
    cp -r "$src" "$w/src" && chmod -R u+w "$w/src"
    echo "$FERRETDB_VERSION" >"$w/src/build/version/version.txt"
    # Our patch series (scripts/ferretdb/*.patch, applied in order; see decisions 0003 and
    # 0015): atomic conditional writes, the _id index used by UPDATE/DELETE and by any filter
    # naming an _id, and equality/$in/range filters pushed down onto the indexes; resource
    # tracking (a stack trace and a finalizer per iterator) in debug builds only (0036);
    # documents decoded in one pass (0040) and built without a scan per key (0041), whose
    # tests (ours and upstream's for those packages) must pass before the store is built.
    local p
    for p in "$LX_ROOT"/scripts/ferretdb/[0-9][0-9][0-9][0-9]-*.patch; do
      patch -d "$w/src" -p1 --forward --batch --quiet --no-backup-if-mismatch <"$p" \
        || { log "patch $(basename "$p") does not apply to FerretDB $FERRETDB_VERSION"; exit 1; }
    done
    mkdir -p "$LX_CACHE"
    cd "$w/src"
    mkdir -p .git # upstream's test helpers find the module's root by its .git
    CGO_ENABLED=0 go test -count=1 ./internal/handler/sjson/ ./internal/types/ ./internal/handler/ \
      >"$w/go-test.log" 2>&1 \
      || { cat "$w/go-test.log"; log "the patched documents, their decoder or the update handler fail their tests"; exit 1; }
    rm -rf .git
    # The C library SQLite runs on, translated to Go (modernc.org/libc): our patches to it
    # (scripts/ferretdb/modernc-libc, decision 0040) are applied to a copy of the module,
    # which the build uses in its place (a `replace`). They patch the linux/amd64
    # translation; elsewhere the module is built as it is.
    if [ "$(go env GOOS)/$(go env GOARCH)" = linux/amd64 ]; then
      go mod download modernc.org/libc
      cp -r "$(go list -m -f '{{.Dir}}' modernc.org/libc)" "$w/libc" && chmod -R u+w "$w/libc"
      for p in "$LX_ROOT"/scripts/ferretdb/modernc-libc/[0-9][0-9][0-9][0-9]-*.patch; do
        patch -d "$w/libc" -p1 --forward --batch --quiet --no-backup-if-mismatch <"$p" \
          || { log "patch $(basename "$p") does not apply to modernc.org/libc"; exit 1; }
      done
      go mod edit -replace "modernc.org/libc=$w/libc"
    fi
    # Go >= 1.23 rejects modernc.org/sqlite's //go:linkname use without this flag (docs/platform.md §4).
    CGO_ENABLED=0 go build -ldflags=-checklinkname=0 -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb
  )
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$w"
}

# start_ferretdb PORT DATADIR : start FerretDB on 127.0.0.1:PORT unless something answers there.
start_ferretdb() {
  local port="$1" dir="$2"
  build_ferretdb
  # A store started by an older build of ours (another patch level) is stopped and restarted.
  if [ -f "$dir/ferretdb.pid" ] && [ "$(cat "$dir/ferretdb.bin" 2>/dev/null)" != "$FERRETDB_BIN" ] \
      && kill -0 "$(cat "$dir/ferretdb.pid")" 2>/dev/null; then
    log "restarting FerretDB on 127.0.0.1:$port with $(basename "$FERRETDB_BIN")"
    kill "$(cat "$dir/ferretdb.pid")"
    local j; for j in $(seq 1 50); do mongo_ping "$port" || break; sleep 0.2; done
  fi
  if ! mongo_ping "$port"; then
    mkdir -p "$dir" "$LX_VAR/log"
    log "starting FerretDB on 127.0.0.1:$port (data in $dir)"
    # synchronous(normal) in WAL mode: no corruption on a crash, ~3x faster writes (a power
    # cut may lose the last transactions: fine for a local and test store).
    # --test-enable-nested-pushdown only stops the handler from hiding dotted keys from the
    # backend; patch 0004 pushes them down safely (decision 0015).
    # GOGC=400: the store allocates a great deal and keeps little, so at the default the Go
    # collector runs very often; a quarter as often costs 13 MB more memory and saves a fifth
    # of the store's CPU (decision 0040).
    GOGC=400 nohup "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$dir/?_pragma=synchronous(normal)" \
      --listen-addr="127.0.0.1:$port" --telemetry=disable --log-level=warn \
      --test-enable-nested-pushdown \
      --state-dir="$dir" --debug-addr=- >>"$LX_VAR/log/ferretdb-$port.log" 2>&1 &
    echo $! >"$dir/ferretdb.pid"
    echo "$FERRETDB_BIN" >"$dir/ferretdb.bin"
    # The first start of a new build may rebuild the indexes an older one made (decision 0015;
    # ~20 s for 20 000 cases on a busy machine): wait while the process lives.
    local i pid; pid="$(cat "$dir/ferretdb.pid")"
    for i in $(seq 1 3000); do
      mongo_ping "$port" && return 0
      kill -0 "$pid" 2>/dev/null || break
      [ "$i" = 100 ] && log "FerretDB is not answering yet (rebuilding indexes?); waiting"
      sleep 0.2
    done
    log "FerretDB did not answer; see $LX_VAR/log/ferretdb-$port.log"; return 1
  fi
}

mongo_ping() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, pymongo
pymongo.MongoClient(port=int(sys.argv[1]), serverSelectionTimeoutMS=500).admin.command("ping")
PY
}

ensure_venv() {
  ensure_apt fonts-wqy-microhei  # the Chinese font embedded in the PDF reports
  local stamp="$VENV/.requirements.sha"
  local want; want="$(cat "$LX_ROOT/requirements.txt" "$LX_ROOT/requirements-dev.txt" | sha256sum | cut -c1-16)"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating venv $VENV"
    python3 -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing pinned Python dependencies"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$LX_ROOT/requirements-dev.txt"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e "$LX_ROOT"
    echo "$want" >"$stamp"
  fi
}

# ensure_local_secrets FILE : random secrets for the local demo, made once, kept in FILE (mode
# 600, under the gitignored var/). Values already in the environment win.
ensure_local_secrets() {
  local file="$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$(dirname "$file")"
    ( umask 077
      printf 'LX_SECRET_KEY=%s\nLX_CITIZEN_KEY_SECRET=%s\n' \
        "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
        "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$file" )
    log "generated the local secrets in $file"
  fi
  local k v
  while IFS='=' read -r k v; do
    [ -n "$k" ] && [ -z "${!k:-}" ] && export "$k=$v"
  done <"$file"
  return 0
}

# The web console (web/): its packages and its build, each redone only when what it depends
# on changed (stamps in web/node_modules/, which git ignores).
WEB_DIR="$LX_ROOT/web"

_web_sources_sha() {
  # Every file the build reads: sources, configuration, package.json and the lockfile.
  (cd "$WEB_DIR" && find . \( -name node_modules -o -name dist -o -name '.*cache' \) -prune \
     -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

ensure_web() {
  [ -f "$WEB_DIR/package.json" ] || return 0
  mkdir -p "$LX_VAR/log"
  command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
  local want stamp="$WEB_DIR/node_modules/.lx-lock.sha"
  want="$(cat "$WEB_DIR/package.json" "$WEB_DIR/package-lock.json" | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing the web console's pinned packages (npm ci)"
    (cd "$WEB_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
  stamp="$WEB_DIR/node_modules/.lx-build.sha"
  want="$(_web_sources_sha)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$WEB_DIR/dist/index.html" ]; then
    log "building the web console (npm run build)"
    (cd "$WEB_DIR" && npm run --silent build >"$LX_VAR/log/web-build.log" 2>&1) \
      || { tail -n 40 "$LX_VAR/log/web-build.log" >&2; log "the web console did not build"; return 1; }
    echo "$want" >"$stamp"
  fi
}

check_web() {
  # The web console's type check, lint and unit tests (Vitest), as ./lx test runs them.
  [ -f "$WEB_DIR/package.json" ] || return 0
  log "web console: type check, lint, unit tests"
  (cd "$WEB_DIR" && npm run --silent typecheck && npm run --silent lint && npm run --silent test)
}
