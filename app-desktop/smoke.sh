#!/usr/bin/env bash
# Headless smoke test of the desktop shell: starts the built binary in a real WebKitGTK window
# under Xvfb and passes once the webview has invoked the `app_info` command over Tauri IPC
# (i.e. the embedded UI loaded, its JS ran, and picked the IPC transport).
#
# Usage: app-desktop/smoke.sh [path/to/flow-desktop]   (default: target/debug/flow-desktop)
# Env:   SMOKE_TIMEOUT  seconds to wait for the invoke (default 30)
#        SCREENSHOT     if set, a PNG of the screen is written there (needs ImageMagick `import`)
# Needs: xvfb-run (apt: xvfb). Build first: cargo build -p flow-desktop
set -euo pipefail

if [[ "${1:-}" == "--inner" ]]; then
  # Runs inside xvfb-run: $2 binary, $3 log file.
  bin="$2" log="$3"
  "$bin" 2>"$log" >/dev/null &
  pid=$!
  ok=1
  for _ in $(seq 1 $(( ${SMOKE_TIMEOUT:-30} * 4 ))); do
    if grep -q 'command="app_info"' "$log"; then ok=0; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if [[ -n "${SCREENSHOT:-}" ]]; then
    sleep 2 # let the first data render
    import -window root "$SCREENSHOT" || echo "smoke: screenshot failed" >&2
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  exit "$ok"
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$root/target/debug/flow-desktop}")"
[[ -x "$bin" ]] || { echo "smoke: $bin not found; run: cargo build -p flow-desktop" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "smoke: xvfb-run missing (apt-get install xvfb)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log="$tmp/flow-desktop.log"

export FLOW_STUDIO_DIR="$tmp/data" TASKS_DIR="$tmp/tasks" PROJECTS_DIR="$tmp/projects"
export RUST_LOG="info,flow_desktop::ipc=debug" WEBKIT_DISABLE_DMABUF_RENDERER=1
if xvfb-run -a -s "-screen 0 1280x800x24" "$0" --inner "$bin" "$log"; then
  echo "smoke: OK, the webview invoked app_info over IPC"
else
  echo "smoke: FAILED, no app_info invoke seen; log:" >&2
  cat "$log" >&2
  exit 1
fi
