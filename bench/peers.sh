#!/usr/bin/env bash
# Installs the peers Accord's ReqIF benchmarks compare with (issue 5), in a virtual environment
# outside the repository: the `reqif` package 0.1.0 (parser, and the ReqIF 1.2 XSD validator the
# export tests use) and StrictDoc 0.30.4.
#   bench/peers.sh            # installs both into $ACCORD_PEERS_VENV (default ~/.cache/accord-peers)
#   bench/peers.sh reqif      # the reqif package only (what the tests need)
set -euo pipefail
venv="${ACCORD_PEERS_VENV:-$HOME/.cache/accord-peers}"
what="${1:-all}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "reqif==0.1.0"
if [ "$what" = all ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "strictdoc==0.30.4"
fi
echo "$venv"
