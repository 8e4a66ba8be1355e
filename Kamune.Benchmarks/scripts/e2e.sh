#!/usr/bin/env bash
# End-to-end figures of docs/benchmarks.md: a `kamune-node run --echo` node on loopback, driven by `kamune-node bench`.
# Prints each bench report and the echo node's CPU (utime + stime from /proc) per round trip or per handshake,
# counted from the end of the bench's warm-up. Run from the repository root on a quiet machine:
#   dotnet build -c Release Kamune.Node && Kamune.Benchmarks/scripts/e2e.sh [msg100 msg1k s100 hs1 hs16]
# ECHO_CMD='...' runs that echo node instead of kamune-node's (see below); the client is the same.
set -euo pipefail
NODE="dotnet Kamune.Node/bin/Release/net10.0/kamune-node.dll"
WORK=$(mktemp -d)
trap 'kill $ECHO_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=${PORT:-7499}
echo 'kamune-node.bench-window = 32' > "$WORK/w32.conf"     # 32 messages in flight per session
echo 'kamune.max-connections-per-address = 0' >> "$WORK/w32.conf"  # the echo node takes every bench session from one address
echo 'kamune.accept-rate-per-address = 0' >> "$WORK/w32.conf"   # nor a per-address accept rate: a benchmark, not an attack
if [ -n "${ECHO_CMD:-}" ]; then
  # Another echo node under the same client, e.g. the Go reference: ECHO_CMD='my-go-echo serve 127.0.0.1:$PORT'
  # (single quotes: $PORT and $WORK are expanded here). It must listen on $PORT and echo every EXCHANGE_MESSAGES.
  PORT=$PORT WORK=$WORK bash -c "exec $ECHO_CMD" < <(exec sleep 1d 2>/dev/null) > "$WORK/echo.log" 2>&1 &
else
  $NODE identity new --home "$WORK/echo-home" > /dev/null
  # The echo node's stdin must stay open: end of stdin is "quit".
  $NODE run --listen 127.0.0.1:$PORT --echo --trust any --home "$WORK/echo-home" --config "$WORK/w32.conf" \
    < <(exec sleep 1d 2>/dev/null) > "$WORK/echo.log" 2>&1 &
fi
ECHO_PID=$!
sleep 3
cpu() { awk '{print $14 + $15}' /proc/${1:-$ECHO_PID}/stat 2>/dev/null; }   # clock ticks (1/100 s)
# The node's own JIT warm-up: one untimed run of each kind.
$NODE bench --target 127.0.0.1:$PORT --sessions 1 --messages 3000 --size 100 --config "$WORK/w32.conf" > /dev/null
$NODE bench --target 127.0.0.1:$PORT --sessions 50 --messages 0 --parallel 1 > /dev/null
# Both processes' CPU over the measured phase: from the bench's "warm-up" line to its report (the bench process is
# sampled until it prints the report, as its /proc entry goes when it exits).
run() {
  local name=$1 units=$2; shift 2
  local out="$WORK/$name.txt" c0 b0=0 b1=0
  c0=$(cpu)
  $NODE bench --target 127.0.0.1:$PORT "$@" > "$out" 2>&1 &
  local bench=$!
  while kill -0 $bench 2>/dev/null; do grep -q "^warm-up " "$out" && { c0=$(cpu); b0=$(cpu $bench); b1=$b0; break; }; sleep 0.02; done
  while kill -0 $bench 2>/dev/null && ! grep -q "^sessions " "$out"; do b1=$(cpu $bench || echo "$b1"); sleep 0.02; done
  local c1; c1=$(cpu)
  wait $bench
  echo "== $name: echo node CPU $(( (c1 - c0) * 10000 / units )) us per unit, bench process $(( (b1 - b0) * 10000 / units )) us per unit"
  grep -v '^\s*$' "$out"
}
figures=("$@")
[ ${#figures[@]} -gt 0 ] || figures=(msg100 msg1k s100 hs1 hs16)
for which in "${figures[@]}"; do
  case $which in
    msg100) run msg100 20000 --sessions 1 --messages 20000 --size 100 --config "$WORK/w32.conf" ;;
    msg1k) run msg1k 20000 --sessions 1 --messages 20000 --size 1024 --config "$WORK/w32.conf" ;;
    s100) run s100 20000 --sessions 100 --messages 200 --size 100 --config "$WORK/w32.conf" ;;
    hs1) run hs1 300 --sessions 300 --messages 0 --parallel 1 ;;
    hs16) run hs16 300 --sessions 300 --messages 0 --parallel 16 ;;
    *) echo "unknown figure: $which" >&2; exit 2 ;;
  esac
done
