#!/usr/bin/env bash
# Debian packages the test suite needs (a real browser, a real PostgreSQL server, text
# browsers for the cleaner's renderings). Installs only what is missing; `make test` and
# CI (.ci/run) call it. Without root or apt-get it says what to install and goes on: the
# tests that need a missing program then fail with a message naming it.
set -euo pipefail

# One Debian package per line: "<package> <a program it provides>" (or a file, for fonts).
PACKAGES=(
  "postgresql /usr/lib/postgresql/15/bin/initdb"
  "chromium /usr/bin/chromium"
  "fonts-noto-core /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"
  "fonts-noto-cjk /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
  "w3m /usr/bin/w3m"
  "lynx /usr/bin/lynx"
  "elinks /usr/bin/elinks"
  "html2text /usr/bin/html2text"
  "pandoc /usr/bin/pandoc"
)

missing=()
for entry in "${PACKAGES[@]}"; do
  read -r pkg prog <<<"$entry"
  command -v "$prog" >/dev/null 2>&1 || [ -e "$prog" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; }; then
  echo "system-deps: please install these Debian packages: ${missing[*]}" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
