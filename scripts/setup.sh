#!/usr/bin/env bash
# One set-up for every machine bp2 runs on (developer, CI, the Docker image):
# native tools from Debian, then a virtual environment at .venv from the pinned lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

# snpeff (with its Java runtime): the second annotator the annotate stage's tests compare with
APT_PACKAGES=(samtools bcftools tabix minimap2 poppler-utils plink2
              libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core snpeff
              chromium)  # chromium: the release bundle's browser test (driven by Playwright)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: please install these Debian packages first (as root): ${missing[*]}" >&2
    exit 4
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
.venv/bin/bp2 version >/dev/null
echo "setup: done ($(.venv/bin/bp2 version), $(samtools --version | head -1), $(bcftools --version | head -1))"
