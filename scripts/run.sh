# ./lx run: the whole system on this machine, in the foreground; Ctrl-C stops it.
source "$(dirname "$0")/lib.sh"
cd "$LX_ROOT"

export LX_VAR
export LX_MONGO_PORT="${LX_MONGO_PORT:-27017}"
export LX_MONGO_URI="${LX_MONGO_URI:-mongodb://127.0.0.1:$LX_MONGO_PORT/}"
export LX_SMTP_PORT="${LX_SMTP_PORT:-8025}"
export LX_SMS_PORT="${LX_SMS_PORT:-8026}"
export LX_SMS_URL="${LX_SMS_URL:-http://127.0.0.1:$LX_SMS_PORT/send}"
export LX_GATEWAY_BIND="${LX_GATEWAY_BIND:-127.0.0.1:8000}"
export LX_PUBLIC_URL="${LX_PUBLIC_URL:-http://$LX_GATEWAY_BIND}"

if curl -fsS "http://$LX_GATEWAY_BIND/healthz" >/dev/null 2>&1; then
  log "Lianxin is already running at http://$LX_GATEWAY_BIND (stop that one with Ctrl-C first)"
  exit 0
fi

ensure_apt curl
# The local demo: secrets generated once per machine, randomly, into the ignored var/ folder
# (docs/security.md); the demo county and its accounts load into an empty store.
export LX_DEMO=1
ensure_local_secrets "$LX_VAR/secrets.env"
ensure_rabbitmq
ensure_venv
ensure_web || log "the gateway answers / with how to build the console; the API runs as usual"
start_ferretdb "$LX_MONGO_PORT" "$LX_VAR/ferretdb"
"$VENV/bin/python" -m lianxin.demo --if-empty

cat <<MSG

  Lianxin is starting.
    web console  http://$LX_GATEWAY_BIND/        (staff: http://$LX_GATEWAY_BIND/staff/login)
    gateway      http://$LX_GATEWAY_BIND        (API docs: http://$LX_GATEWAY_BIND/api/docs)
    readiness    http://$LX_GATEWAY_BIND/readyz
    mail         every message the system sends is saved in $LX_VAR/mail/*.eml
    sms          every text message is saved in $LX_VAR/sms/*.json
    RabbitMQ     amqp://127.0.0.1:5672  (management: http://127.0.0.1:15672, guest/guest)
    store        FerretDB at $LX_MONGO_URI (data in $LX_VAR/ferretdb)
  Try:
    curl -s -X POST http://$LX_GATEWAY_BIND/api/v1/cases -H 'Content-Type: application/json' \\
      -d '{"kind":"complaint","topic":"environment","title":"河道污染","content":"工厂夜间排污",
           "location":{"town":"清水镇"},"citizen":{"name":"张三","email":"zhang@example.com"}}'
  Ctrl-C stops the services (RabbitMQ and FerretDB keep running for the next start).

MSG
mkdir -p "$LX_VAR/mail"
PATH="$VENV/bin:$PATH" exec "$VENV/bin/honcho" start -f Procfile
