#!/usr/bin/env bash
# forever.sh CMD ARGS...: run CMD, and run it again whenever it exits, until this script is
# told to stop (SIGTERM or SIGINT, passed on to CMD). What a container platform's restart
# policy does; `./lx run` wraps every Procfile line in it, so one process that dies is
# restarted instead of stopping the whole system (honcho stops everything when one exits).
stopping=0
child=
stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT
pause=1
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  # `wait` returns early when a trapped signal arrives: wait until the child is really gone.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; done
  wait "$child" 2>/dev/null; status=$?
  child=
  [ "$stopping" = 1 ] && exit 0
  # A process that dies at once again and again is restarted less and less often (max 30 s).
  if [ $((SECONDS - started)) -ge 60 ]; then pause=1; fi
  echo "[forever] '$*' exited with status $status; starting it again in ${pause}s" >&2
  sleep "$pause" &
  wait $!
  [ "$stopping" = 1 ] && exit 0
  pause=$((pause * 2 > 30 ? 30 : pause * 2))
done
