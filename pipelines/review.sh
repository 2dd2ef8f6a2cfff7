#!/usr/bin/env bash
# A pull request's review, for both pipeline systems: writes review.md (the access review, computed
# by the base branch's toolkit in .trusted-toolkit over this working tree) and plans.md (every
# affected stack's offline plan, in one process, against the base branch's allow-lists).
# usage: review.sh <base-ref> <affected.json (a list saved by 'affected --format json')>
# Exit 1 when a stack is invalid or has a mandatory policy violation (both files are written).
set -uo pipefail

base="${1:?usage: review.sh <base-ref> <affected.json>}"
list="${2:?usage: review.sh <base-ref> <affected.json>}"
status=0
# The stacks travel in a file (thousands of names do not fit on a command line); a base branch's
# toolkit from before --stacks-from takes the names (the first pull request after an upgrade).
stacks=(--stacks-from "$list")
if ! grep -q -- "--stacks-from" .trusted-toolkit/src/cli/diff.ts; then
  stacks=()
  for stack in $(jq -r '.[].stack' "$list"); do stacks+=(--stack "$stack"); done
fi
# The allow-lists of managing tenants and roles are the base branch's: a pull request that edits
# them and moves an offer at once is judged by the lists it would replace.
allow=policies/policy-config.json
if [ -f .trusted-toolkit/policies/policy-config.json ]; then allow=.trusted-toolkit/policies/policy-config.json; fi
# The review: access lost or interrupted, failing steps, weakenings (package.json's diff script, from
# the trusted toolkit).
{
  echo "<!-- lighthouse-access-review -->"
  node --max-old-space-size=8192 --max-semi-space-size=64 .trusted-toolkit/dist/src/cli/diff.js \
    "${stacks[@]}" --base "$base" || status=1
} > review.md
# Every plan in one process (a process per stack costs seven times as much).
{
  echo "<details><summary>Plans of the $(jq length "$list") affected stacks</summary>"
  echo
  echo '```'
  npm run -s plan -- --stacks-from "$list" --policy-config "$allow" || status=1
  echo '```'
  echo "</details>"
} > plans.md
exit "$status"
