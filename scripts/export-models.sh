#!/usr/bin/env bash
# Exports the benchmark models (random weights) to ONNX at opsets 13 and 17.
# Usage: scripts/export-models.sh [OUT_DIR (default models/)] [MODEL ...]
# Needs Debian's python3-torch, python3-torchvision and python3-onnx (apt-get install them).
set -euo pipefail
out="${1:-models}"
shift || true
exec /usr/bin/python3 "$(dirname "$0")/export_models.py" --out "$out" "$@"
