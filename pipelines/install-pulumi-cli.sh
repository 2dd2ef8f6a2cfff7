#!/usr/bin/env bash
# Installs the Pulumi CLI at one pinned version into <directory>, refusing an archive whose SHA-256
# is not the pinned one: no download piped into a shell, no "latest". Both pipeline systems call it.
#
# The checksum is the release's own (pulumi-3.253.0-checksums.txt on github.com/pulumi/pulumi),
# recorded from a public repository that pins the same archive: nothing could be downloaded where
# this was written, so the first real run is the check. A mismatch fails the job before anything
# runs. To move to another version, change both lines from that release's checksums file.
set -euo pipefail

PULUMI_VERSION=3.253.0
PULUMI_SHA256=33161e521280e6c77395a46344dba5ff9c118a90df254801e662087143b4d1ac

destination="${1:?usage: install-pulumi-cli.sh <directory>}"
archive="$(mktemp)"
trap 'rm -f "$archive"' EXIT
curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 --output "$archive" \
  "https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz"
if ! echo "${PULUMI_SHA256}  ${archive}" | sha256sum --check --status -; then
  echo "error: pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz does not have the pinned SHA-256: not installed" >&2
  exit 1
fi
mkdir -p "$destination"
tar -xzf "$archive" -C "$destination" --strip-components=1
"$destination/pulumi" version
