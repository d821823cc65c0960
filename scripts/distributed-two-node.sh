#!/usr/bin/env bash
# A two-node distributed run on one machine: each "node" is a network
# namespace with its own address (10.77.0.1 and 10.77.0.2 on a veth pair),
# and runs `torchrun --nnodes 2 --nproc_per_node N --rdzv_backend c10d
# --rdzv_endpoint 10.77.0.1:PORT --no_python CMD...`, as two machines would.
# Gloo binds to the veth (GLOO_SOCKET_IFNAME), as on a real cluster where the
# interface is named. Needs root (ip netns) and iproute2; the namespaces are
# removed on exit. Exits non-zero when either node fails.
#
#   sudo bash scripts/distributed-two-node.sh -- node --import tsx train.ts
#   sudo NPROC_PER_NODE=2 PORT=29400 bash scripts/distributed-two-node.sh -- CMD...
#
# TORCHRUN names torchrun (default: the one beside the reference Python in
# build/libtorch-stamp.json, else torchrun on PATH). The environment is passed
# to the ranks (TN_RESULT_DIR etc.).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: distributed-two-node.sh -- CMD [ARGS...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "distributed-two-node.sh: needs root (ip netns)" >&2; exit 2; }
command -v ip >/dev/null || { echo "distributed-two-node.sh: needs iproute2 (ip)" >&2; exit 2; }

torchrun=${TORCHRUN:-}
if [ -z "$torchrun" ]; then
  py=$(sed -n 's/.*"python": "\([^"]*\)".*/\1/p' build/libtorch-stamp.json 2>/dev/null || true)
  if [ -n "$py" ] && [ -x "$(dirname "$py")/torchrun" ]; then torchrun="$(dirname "$py")/torchrun"; else torchrun=$(command -v torchrun || true); fi
fi
[ -n "$torchrun" ] || { echo "distributed-two-node.sh: no torchrun found (set TORCHRUN)" >&2; exit 2; }

port=${PORT:-29400}
nproc=${NPROC_PER_NODE:-1}
id=$$
ns=(tn-n0-$id tn-n1-$id)
veth=(tnv0-$id tnv1-$id)
addr=(10.77.0.1 10.77.0.2)

cleanup() {
  for n in "${ns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

for i in 0 1; do ip netns add "${ns[$i]}"; done
ip link add "${veth[0]}" type veth peer name "${veth[1]}"
for i in 0 1; do
  ip link set "${veth[$i]}" netns "${ns[$i]}"
  ip -n "${ns[$i]}" addr add "${addr[$i]}/24" dev "${veth[$i]}"
  ip -n "${ns[$i]}" link set lo up
  ip -n "${ns[$i]}" link set "${veth[$i]}" up
done

pids=()
# torchrun guesses which node hosts the rendezvous store from the host name,
# which does not resolve to a namespace's address: say it (is_host).
is_host=(true false)
for i in 0 1; do
  ip netns exec "${ns[$i]}" env GLOO_SOCKET_IFNAME="${veth[$i]}" "$torchrun" \
    --nnodes 2 --nproc_per_node "$nproc" --rdzv_backend c10d --rdzv_endpoint "${addr[0]}:$port" --rdzv_id "tn-$id" \
    --rdzv_conf "is_host=${is_host[$i]},join_timeout=${JOIN_TIMEOUT:-120}" \
    --local_addr "${addr[$i]}" --no_python "$@" &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
exit "$status"
