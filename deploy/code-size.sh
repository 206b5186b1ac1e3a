#!/usr/bin/env bash
# Usage: deploy/code-size.sh TREE [N_FUNCTIONS] [N_CLASSES]
# Prints the largest functions (pmccabe) and the largest classes/structs
# (universal-ctags) of the production code of a cdpd tree: the .cpp/.hpp
# files under config/ storage/ actors/ net/ apps/ (tests/ and build/ are not
# read). Needs: apt-get install -y pmccabe universal-ctags
#
# Functions: pmccabe's columns are
#   modified McCabe, traditional McCabe, statements, first line, lines,
#   file(definition line): function
# and the list is sorted by "lines" (first line to closing brace).
# pmccabe does not parse C++17 nested namespace heads (`namespace a::b {`);
# the files are copied to a scratch folder with such heads cut to their first
# name (`namespace a {`), which keeps every line number. The namespace part
# of the names pmccabe prints is unreliable; file and line are exact.
#
# Classes: ctags' line and end fields (kinds c = class, s = struct), sorted
# by end - line + 1. Nested classes count on their own too.
set -eu
tree=${1:?usage: code-size.sh TREE [N_FUNCTIONS] [N_CLASSES]}
nf=${2:-10}
nc=${3:-5}
cd "$tree"
folders=(config storage actors net apps)
mapfile -t files < <(find "${folders[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for f in "${files[@]}"; do
  mkdir -p "$scratch/$(dirname "$f")"
  sed -E 's/^namespace ([A-Za-z_0-9]+)(::[A-Za-z_0-9:]+)? *\{/namespace \1 {/' "$f" > "$scratch/$f"
done

# ctags' function definitions (kind f) with their end lines, to check
# pmccabe's spans: pmccabe misreads some C++ (macro calls at file scope,
# some constructors and members), and a row whose span ctags does not
# confirm (same file and definition line, end within 2 lines, first line
# at most 3 lines above the definition line) is listed
# apart, not ranked.
ctags --fields=+ne --kinds-c++=f --languages=C++ --langmap=C++:+.hpp -o - "${files[@]}" 2>/dev/null |
  awk -F'\t' '{ l = ""; e = "";
                for (i = 4; i <= NF; i++) {
                  if ($i ~ /^line:/) l = substr($i, 6);
                  if ($i ~ /^end:/) e = substr($i, 5) }
                if (l != "" && e != "") print $2 ":" l "\t" e "\t" $1 }' > "$scratch/ctags-functions"
(cd "$scratch" && pmccabe "${files[@]}" 2>/dev/null) |
  awk -F'\t' -v OFS='\t' '
    NR == FNR { end[$1] = $2; next }
    { split($6, a, ": "); loc = a[1]; sub(/\(/, ":", loc); sub(/\)/, "", loc);
      name = substr($6, length(a[1]) + 3); sub(/.*::/, "", name);
      last = $4 + $5 - 1;
      split(loc, fl, ":");
      ok = (loc in end) && (end[loc] - last <= 2) && (last - end[loc] <= 2) &&
           (fl[2] - $4 <= 3) && ($4 <= fl[2]);
      print (ok ? "ok" : "unconfirmed"), $5, $3, loc, name, (loc in end) ? end[loc] : "-" }' \
    "$scratch/ctags-functions" - |
  sort -t$'\t' -k2,2nr > "$scratch/functions"
echo "# ${nf} largest functions by lines (pmccabe, spans confirmed by ctags)"
echo "# lines, statements, file:definition line, function"
awk -F'\t' '$1 == "ok" { printf "%6d lines %5d stmts  %s  %s\n", $2, $3, $4, $5 }' "$scratch/functions" |
  head -n "$nf"
echo "# pmccabe rows above the last one ranked whose span ctags does not confirm (misparsed):"
cut_at=$(awk -F'\t' '$1 == "ok" { n++; if (n == '"$nf"') { print $2; exit } }' "$scratch/functions")
awk -F'\t' -v min="${cut_at:-0}" '$1 != "ok" && $2 >= min {
  printf "%6d lines %5d stmts  %s  %s  (ctags end: %s)\n", $2, $3, $4, $5, $6 }' "$scratch/functions"
echo
echo "# ${nc} largest classes/structs by lines (ctags; lines, file:start-end, name)"
ctags --fields=+ne --kinds-c++=cs --languages=C++ --langmap=C++:+.hpp -o - "${files[@]}" 2>/dev/null |
  awk -F'\t' '{ line = ""; end = "";
                for (i = 4; i <= NF; i++) {
                  if ($i ~ /^line:/) line = substr($i, 6);
                  if ($i ~ /^end:/) end = substr($i, 5);
                  if ($i ~ /^(class|struct|namespace):/) scope = $i }
                if (line != "" && end != "")
                  printf "%6d lines  %s:%s-%s  %s\n", end - line + 1, $2, line, end, $1 }' |
  sort -k1,1nr |
  head -n "$nc"

echo
echo "# for comparison: the ${nf} largest function definitions by ctags alone (lines, file:start-end, name)"
awk -F'\t' '{ split($1, fl, ":"); printf "%6d lines  %s-%s  %s\n", $2 - fl[2] + 1, $1, $2, $3 }' \
  "$scratch/ctags-functions" | sort -k1,1nr | head -n "$nf"
