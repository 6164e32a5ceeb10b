#!/usr/bin/env bash
# The Cairo backend (SVG/PDF output, `--backend cairo`) needs the system Cairo library.
# Installs it from the Debian package when it is missing and we may (root + apt-get);
# otherwise says exactly what to install and fails.
set -euo pipefail
PY="${1:-python3}"
have_cairo() { "$PY" -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('cairo') else 1)"; }
have_cairo && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing the system Cairo library (Debian package libcairo2)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcairo2 >/dev/null
  have_cairo && exit 0
fi
echo "error: the Cairo library (libcairo.so.2) was not found." >&2
echo "  Debian/Ubuntu: sudo apt-get install libcairo2    Fedora: sudo dnf install cairo    macOS: brew install cairo" >&2
exit 1
