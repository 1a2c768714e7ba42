#!/usr/bin/env bash
# docs/options.sh -- the documentation and `scorecard --help` (with sign's
# and verify's) agree: every
# option README.md and docs/*.md mention exists (unless it is another
# program's, tests/docs/other-tools.txt, named on the same line), and
# every option --help lists is documented somewhere.
set -u
cli=$1 src=$2
here=$(dirname "$0")
fail=0
# the commands with options of their own have their own --help
help=$("$cli" --help; "$cli" sign --help; "$cli" verify --help)
known=$(grep -oE -- '--[a-z][a-z0-9-]+' <<< "$help" | sort -u)
docs=("$src/README.md" "$src"/docs/*.md)
while IFS=: read -r file line opt; do
    grep -qxF -- "$opt" <<< "$known" && continue
    tool=$(awk -v o="$opt" '$1 == o { print $2 }' "$here/other-tools.txt")
    text=$(sed -n "$((line > 1 ? line - 1 : 1)),${line}p" "$file")
    if [ -z "$tool" ] || ! grep -qw -- "$tool" <<< "$text"; then
        echo "FAIL $(basename "$file"):$line mentions $opt, which scorecard --help does not list"
        fail=1
    fi
done < <(grep -noE -- '--[a-z][a-z0-9-]+' "${docs[@]}" | sed 's/^\([^:]*\):\([0-9]*\):/\1:\2:/')
for opt in $known; do
    grep -qF -- "$opt" "${docs[@]}" || { echo "FAIL --help lists $opt, no document mentions it"; fail=1; }
done
# every table format check accepts (its refusal of another lists them) is
# shown somewhere as --format VALUE, the default text aside
formats=$("$cli" check -d /dev/null --format '?' 2>&1 | sed -n "s/.*--format takes \(.*\), not.*/\1/p" |
          sed 's/,\| or / /g')
[ -n "$formats" ] || { echo "FAIL check --format ? does not list the formats"; fail=1; }
for f in $formats; do
    [ "$f" = text ] && continue
    grep -qF -- "--format $f" "${docs[@]}" || { echo "FAIL check --format $f: no document shows it"; fail=1; }
done
[ $fail = 0 ] && echo "docs: every option the documentation names exists, every option is documented"
exit $fail
