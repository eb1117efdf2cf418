#!/usr/bin/env bash
# End-to-end test of the extension in a real VS Code (code-server) driven by headless Chromium.
#
# Installs what it needs, idempotently, so that a fresh Debian 12 machine can run it:
#   - Debian packages: ripgrep libkrb5-dev chromium chromium-driver graphviz (root, or already there)
#   - code-server 4.100.3 (the newest that runs on Node 20) in $KONCIERGE_E2E_CACHE
#     (default ~/.cache/koncierge-e2e), outside the repository
#   - the Python environment ../.venv with Koncierge (through `make setup` when it is missing)
# then packages the extension and runs test/e2e/e2e.mjs, which starts code-server in its own
# process group and stops the whole group at the end. Output: test-output/e2e/ (screenshots, logs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
extension="$(cd "$here/../.." && pwd)"
repository="$(cd "$extension/.." && pwd)"
cache="${KONCIERGE_E2E_CACHE:-$HOME/.cache/koncierge-e2e}"
code_server_version="4.100.3"
code_server_home="$cache/code-server-$code_server_version"
code_server="$code_server_home/node_modules/.bin/code-server"

log() { printf 'e2e: %s\n' "$*" >&2; }

# 1. Debian packages.
missing=""
for package in ripgrep libkrb5-dev chromium chromium-driver graphviz; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages:$missing; run: sudo apt-get install -y$missing"
    exit 2
  fi
  log "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
fi

# 2. code-server, with @vscode/ripgrep's download served from a cache holding Debian's rg.
if [ ! -x "$code_server" ] || [ ! -f "$code_server_home/.installed" ]; then
  log "installing code-server $code_server_version into $code_server_home (about a minute)"
  rm -rf "$code_server_home"
  mkdir -p "$code_server_home/tmp/vscode-ripgrep-cache-1.15.11"
  staging="$(mktemp -d)"
  cp /usr/bin/rg "$staging/rg"
  tar -czf "$code_server_home/tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$staging" rg
  rm -rf "$staging"
  (
    cd "$code_server_home"
    echo '{"name": "koncierge-e2e-code-server", "private": true}' > package.json
    # npm 11 blocks dependencies' install scripts unless allowed; code-server's post-install runs
    # nested `npm install`s (native modules, ripgrep) that need theirs, so this one tool install,
    # into a cache folder outside the repository, allows them all. As root (CI), code-server's
    # post-install refuses to run without --unsafe-perm ("Please pass --unsafe-perm to npm").
    TMPDIR="$code_server_home/tmp" npm_config_nodedir=/usr npm_config_yes=true \
      npm_config_dangerously_allow_all_scripts=true \
      npm install --unsafe-perm --no-audit --no-fund --foreground-scripts=false "code-server@$code_server_version" \
      > "$code_server_home/install.log" 2>&1 || { tail -40 "$code_server_home/install.log" >&2; exit 1; }
  )
  [ -x "$code_server_home/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || { log "code-server's post-install did not run (no ripgrep): see $code_server_home/install.log"; exit 1; }
  "$code_server" --version >/dev/null
  touch "$code_server_home/.installed"
fi

# 3. The language server's Python environment.
if [ ! -x "$repository/.venv/bin/koncierge" ]; then
  log "no $repository/.venv: running make setup"
  make -C "$repository" setup
fi

# 4. The extension as users get it: the packaged .vsix.
if [ ! -d "$extension/node_modules" ]; then (cd "$extension" && npm ci --no-audit --no-fund); fi
(cd "$extension" && npm run --silent package >/dev/null)
vsix="$extension/koncierge-$(node -p "require('$extension/package.json').version").vsix"

# 5. The test itself.
export KONCIERGE_CODE_SERVER="$code_server"
export KONCIERGE_VSIX="$vsix"
export KONCIERGE_REPOSITORY="$repository"
exec node "$here/e2e.mjs" "$@"
