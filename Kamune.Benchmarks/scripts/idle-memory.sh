#!/usr/bin/env bash
# Memory per idle established session (docs/benchmarks.md): a `kamune-node run --echo` node is dialed 500 times,
# then 500 more, by a `kamune-node run --json` client; the echo node's VmRSS (and, with dotnet-gcdump installed,
# its live managed heap) is read after each step. Per session = (second reading - first) / sessions added, so
# the node's own start-up, JIT and pools are not counted. Run from the repository root on a quiet machine:
#   dotnet build -c Release Kamune.Node && Kamune.Benchmarks/scripts/idle-memory.sh
set -euo pipefail
NODE="dotnet Kamune.Node/bin/Release/net10.0/kamune-node.dll"
WORK=$(mktemp -d)
trap 'kill $ECHO_PID $CLIENT_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=${PORT:-7498}
GCDUMP=$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")
printf 'kamune.max-connections-per-address = 0\nkamune.max-concurrent-handshakes = 0\n' > "$WORK/open.conf"
$NODE identity new --home "$WORK/echo-home" > /dev/null
$NODE identity new --home "$WORK/client-home" > /dev/null
$NODE run --listen 127.0.0.1:$PORT --echo --trust any --home "$WORK/echo-home" --config "$WORK/open.conf" \
  < <(exec sleep 1d 2>/dev/null) > "$WORK/echo.log" 2>&1 &
ECHO_PID=$!
sleep 3
rss() { awk '/VmRSS/ {print $2}' /proc/$ECHO_PID/status; }
heap() {
  if [ -x "$GCDUMP" ]; then
    "$GCDUMP" collect -p $ECHO_PID -o "$WORK/h.gcdump" > /dev/null 2>&1
    "$GCDUMP" report "$WORK/h.gcdump" 2> /dev/null | awk '/GC Heap bytes/ {gsub(",", "", $1); print int($1 / 1024)}'
  else echo 0; fi
}
# 25 dials every 0.4 s: 500, a pause of 20 s, 500 more; the client keeps every session open.
( for i in $(seq 1 40); do
    for _ in $(seq 1 25); do echo "{\"cmd\":\"dial\",\"address\":\"127.0.0.1:$PORT\"}"; done
    sleep 0.4; [ "$i" = 20 ] && sleep 20
  done; sleep 40 ) | $NODE run --json --trust any --home "$WORK/client-home" --config "$WORK/open.conf" > "$WORK/client.log" 2>&1 &
CLIENT_PID=$!
sleep 22
E1=$(grep -c session_established "$WORK/client.log"); H1=$(heap); R1=$(rss)
sleep 22
E2=$(grep -c session_established "$WORK/client.log"); H2=$(heap); R2=$(rss)
echo "at $E1 sessions: VmRSS $R1 KiB, managed heap $H1 KiB"
echo "at $E2 sessions: VmRSS $R2 KiB, managed heap $H2 KiB"
awk -v r1=$R1 -v r2=$R2 -v h1=$H1 -v h2=$H2 -v e1=$E1 -v e2=$E2 \
  'BEGIN { printf "per idle session: VmRSS %.1f KiB, managed heap %.1f KiB\n", (r2 - r1) / (e2 - e1), (h2 - h1) / (e2 - e1) }'
