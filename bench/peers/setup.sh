#!/usr/bin/env bash
# Separate virtual environments for the peer generators that bench/bench_peers.py compares with.
# Both need old numpy (< 1.24: imgaug uses removed aliases) and Pillow (< 10: font.getsize), so
# they cannot share symbolreel's .venv. Pins: bench/peers/*-requirements.txt (full freezes that
# install on Python 3.11). Usage: bash bench/peers/setup.sh   (PY=python3.11 by default)
# A peer that fails to install is reported as such by the bench; this script goes on with the other.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
PY="${PY:-python3.11}"
status=0
for peer in synthtiger trdg; do
    venv="$here/.venv-$peer"
    req="$here/$peer-requirements.txt"
    if [ -f "$venv/.installed" ] && [ "$venv/.installed" -nt "$req" ]; then
        echo "$peer: $venv is up to date"
        continue
    fi
    rm -rf "$venv"
    if "$PY" -m venv "$venv" \
        && "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" \
        && "$venv/bin/python" -c "import $peer"; then
        touch "$venv/.installed"
        echo "$peer: installed in $venv"
    else
        echo "$peer: install FAILED (the bench reports it as not installed)" >&2
        status=1
    fi
done
exit $status
