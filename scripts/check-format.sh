#!/usr/bin/env bash
# Fails when a C++ file in app/, core/, ui/ or tests/ is not formatted as .clang-format says.
# The tree is formatted with Debian 12's clang-format (14); other versions break lines differently,
# so CI runs this check on Debian 12. Usage: scripts/check-format.sh [--fix]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/deps.sh
install_missing clang-format
mapfile -d '' files < <(find app core ui tests \( -name '*.cpp' -o -name '*.h' \) -print0 | sort -z)
if [ "${1:-}" = "--fix" ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
    echo "$out" | grep -E '(warning|error): code should be clang-formatted' | cut -d: -f1 | sort -u \
        | sed 's/^/not formatted: /' >&2 || true
    echo "check-format.sh: run scripts/check-format.sh --fix ($(clang-format --version))" >&2
    exit 1
fi
echo "format check passed: ${#files[@]} files ($(clang-format --version | grep -oE '[0-9]+\.[0-9.]+' | head -1))"
