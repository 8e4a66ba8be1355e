#!/usr/bin/env bash
# Kamune.NET against the Go reference over loopback, both directions (docs/interop.md):
#   1. Go listens (echo, PING -> PONG); kamune-node dials, sends one message of each size over --json, checks
#      every echo byte for byte, keeps the session idle past its idle timeout on keep-alive PINGs, closes.
#   2. kamune-node listens (--echo); Go dials, checks a PING's PONG and every echo, closes.
# usage: dotnet build -c Release Kamune.Node && interop/run.sh PATH/TO/kamune-interop
set -euo pipefail
GO_PEER=$(realpath "${1:?usage: interop/run.sh PATH/TO/kamune-interop}")
NODE="dotnet Kamune.Node/bin/Release/net10.0/kamune-node.dll"
PORT=${PORT:-7611}
SIZES="0 1 100 1024 4096 16384 61435"
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

wait_port() {
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}
wait_line() { # FILE PATTERN COUNT
  for _ in $(seq 300); do [ "$(grep -c -- "$2" "$1" || true)" -ge "$3" ] && return 0; sleep 0.1; done
  echo "expected $3 lines matching $2 in $1, got:" >&2; cat "$1" >&2; return 1
}
fill() { head -c "$1" /dev/zero | tr '\0' "$2"; }

$NODE identity new --home "$WORK/net" > /dev/null
printf 'kamune { keep-alive-interval = 200ms, idle-timeout = 700ms }\n' > "$WORK/keepalive.conf"

echo "== 1. Go listens, kamune-node dials"
"$GO_PEER" serve 127.0.0.1:$PORT "$WORK/go-server" > "$WORK/go-server.log" 2>&1 &
PIDS+=($!)
wait_port $PORT
mkfifo "$WORK/in"
$NODE run --json --dial 127.0.0.1:$PORT --trust any --home "$WORK/net" --config "$WORK/keepalive.conf" \
  < "$WORK/in" > "$WORK/net-dial.jsonl" 2> "$WORK/net-dial.err" &
PIDS+=($!)
exec 4> "$WORK/in"
wait_line "$WORK/net-dial.jsonl" '"event":"session_established"' 1
sent=()
i=0
for size in $SIZES; do
  data=$(fill "$size" "$(printf "\\$(printf '%03o' $((65 + i)))")" | base64 -w0)
  sent+=("$data")
  echo "{\"cmd\":\"send\",\"session\":1,\"data\":\"$data\"}" >&4
  i=$((i + 1))
done
wait_line "$WORK/net-dial.jsonl" '"event":"message_received"' ${#sent[@]}
mapfile -t got < <(grep '"event":"message_received"' "$WORK/net-dial.jsonl" | sed 's/.*"data":"\([^"]*\)".*/\1/')
for k in "${!sent[@]}"; do
  [ "${got[$k]}" = "${sent[$k]}" ] || { echo "echo $k differs from what was sent" >&2; exit 1; }
done
echo "   $i echoes match (sizes $SIZES)"
# Idle for more than twice the idle timeout: only the keep-alive PINGs and the Go peer's PONGs keep it open.
sleep 1.6
echo '{"cmd":"send","session":1,"data":"YWZ0ZXItaWRsZQ=="}' >&4
wait_line "$WORK/net-dial.jsonl" '"data":"YWZ0ZXItaWRsZQ=="' 1
if grep -q '"event":"session_closed"' "$WORK/net-dial.jsonl"; then echo "session closed while idle" >&2; exit 1; fi
echo "   idle 1.6 s on keep-alive (idle timeout 0.7 s): still open, echo after idle matches"
echo '{"cmd":"quit"}' >&4
exec 4>&-
wait_line "$WORK/net-dial.jsonl" '"reason":"local_close"' 1
echo "   closed: local_close"

echo "== 2. kamune-node listens (--echo), Go dials"
$NODE run --json --listen 127.0.0.1:$((PORT + 1)) --echo --trust any --home "$WORK/net" \
  < <(exec sleep 1d 2>/dev/null) > "$WORK/net-listen.jsonl" 2> "$WORK/net-listen.err" &
PIDS+=($!)
wait_line "$WORK/net-listen.jsonl" '"event":"listening"' 1
"$GO_PEER" dial 127.0.0.1:$((PORT + 1)) "$WORK/go-client" $SIZES
wait_line "$WORK/net-listen.jsonl" '"reason":"peer_closed"' 1
echo "   closed at kamune-node: peer_closed"
echo "interop: all checks passed"
