#!/usr/bin/env bash
# Fails when an #include "<folder>/..." in config/, storage/, actors/, net/
# or apps/ goes against the layering of README.md "Layout":
#   config  may include config
#   storage may include config, storage
#   actors  may include config, storage, actors
#   net     may include config, actors, net
#   apps    may include everything
# Known back-edges are listed in deploy/layering-exceptions.txt, one
# "file -> included header" a line. A back-edge not listed fails, and so
# does a listed line that no longer occurs: the list only shrinks.
#   deploy/check-layers.sh [EXCEPTIONS_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

exceptions=${1:-deploy/layering-exceptions.txt}
[ -f "$exceptions" ] || { echo "check-layers: $exceptions not found" >&2; exit 2; }

# Tracked and untracked (not ignored) files, so a new file counts before it
# is committed. Only quoted includes: <net/if.h> is a system header.
includes=$(git grep --untracked -nE \
  '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(config|storage|actors|net|apps)/' \
  -- config storage actors net apps || true)

awk -v exceptions="$exceptions" '
BEGIN {
  may["config"]  = "config"
  may["storage"] = "config storage"
  may["actors"]  = "config storage actors"
  may["net"]     = "config actors net"
  may["apps"]    = "config storage actors net apps"
  bad = 0
  n = 0
  while ((getline line < exceptions) > 0) {
    ++lineno
    sub(/#.*/, "", line)
    gsub(/^[ \t]+|[ \t]+$/, "", line)
    if (line == "") continue
    if (split(line, part, /[ \t]+->[ \t]+/) != 2 || part[1] ~ /[ \t]/ || part[2] ~ /[ \t]/) {
      printf "%s:%d: not \"file -> included header\": %s\n", exceptions, lineno, line
      bad = 1
      continue
    }
    key = part[1] " -> " part[2]
    if (!(key in listed)) { listed[key] = lineno; order[++n] = key }
  }
  close(exceptions)
}
function allowed(from, to,    list, i, k) {
  k = split(may[from], list, " ")
  for (i = 1; i <= k; ++i) if (list[i] == to) return 1
  return 0
}
function rule(from,    s) {
  s = may[from]
  gsub(/ /, "/, ", s)
  return from "/ may include only " s "/ (README.md \"Layout\")"
}
$0 == "" { next }
{
  # path:line:text
  file = $0; sub(/:.*/, "", file)
  rest = substr($0, length(file) + 2)
  at = rest; sub(/:.*/, "", at)
  header = rest; sub(/^[^"]*"/, "", header); sub(/".*/, "", header)
  from = file; sub(/\/.*/, "", from)
  to = header; sub(/\/.*/, "", to)
  if (allowed(from, to)) next
  key = file " -> " header
  if (key in listed) { seen[key] = 1; next }
  printf "%s:%s: includes \"%s\": %s; %s/ is not among them\n", file, at, header, rule(from), to
  bad = 1
}
END {
  for (i = 1; i <= n; ++i) {
    key = order[i]
    if (!(key in seen)) {
      printf "%s:%d: stale exception, no longer included: %s (delete the line)\n", exceptions, listed[key], key
      bad = 1
    }
  }
  if (bad) {
    print "check-layers: failed (new back-edges above need removing, or a line with a reason in " exceptions ")"
    exit 1
  }
  printf "check-layers: includes follow the layering (%d listed exceptions)\n", n
}
' <<<"$includes"
