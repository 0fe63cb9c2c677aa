#!/usr/bin/env bash
# The configuration file (issue 18 item 2): mistakes stop the start with a
# message naming the file, section and key; the command line wins over the
# file and the file over the environment; every option has an environment
# variable (derived names included). Loopback only.
set -uo pipefail
BIN=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
check() {  # check NAME EXPECTED-SUBSTRING OUTPUT
  if [[ "$3" == *"$2"* ]]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1: expected [$2] in [$3]"; fail=$((fail + 1)); fi
}
# `migrate` reads the store options and exits at once: enough to see which --data won.
printf '[serve]\nlisten = "127.0.0.1:0"\nlisen = "127.0.0.1:1"\n' >"$work/typo.conf"
out=$("$BIN" --config "$work/typo.conf" serve --data "$work/d" 2>&1); rc=$?
check "an unknown key in a section stops the start" "$work/typo.conf: unknown key \"lisen\" in [serve]" "$out"
check "with a failing exit code" "rc 110" "rc $rc"
printf 'bogus = 1\n' >"$work/top.conf"
out=$("$BIN" --config "$work/top.conf" serve --data "$work/d" 2>&1)
check "an unknown key at the top stops the start" "$work/top.conf: unknown key \"bogus\" at the top" "$out"
printf '[serve]\nlease = "abc"\n' >"$work/value.conf"
out=$("$BIN" --config "$work/value.conf" serve --data "$work/d" 2>&1)
check "a bad value names the file and the key" "$work/value.conf: key \"lease\":" "$out"
out=$(SWITCHBOARD_CONFIG="$work/value.conf" "$BIN" serve --data "$work/d" 2>&1)
check "also when the file comes from SWITCHBOARD_CONFIG" "$work/value.conf: key \"lease\":" "$out"
out=$("$BIN" --config "$work/missing.conf" serve 2>&1)
check "a missing file is named" "$work/missing.conf" "$out"
out=$("$BIN" backup --data "$work/d" --out "$work/x" --expires-in 1d 2>&1)
check "an option of another command is refused" "expires-in" "$out"

# Precedence: command line > file > environment, on `backup --out` (a derived
# variable, SWITCHBOARD_BACKUP_OUT) and `--data` (SWITCHBOARD_DATA).
"$BIN" migrate --data "$work/store" >/dev/null 2>&1
printf '[backup]\nout = "%s"\n' "$work/from-file.db" >"$work/backup.conf"
SWITCHBOARD_BACKUP_OUT="$work/from-env.db" "$BIN" backup --data "$work/store" >/dev/null 2>&1
check "a derived environment variable sets an option" "yes" "$([ -f "$work/from-env.db" ] && echo yes)"
SWITCHBOARD_BACKUP_OUT="$work/from-env2.db" "$BIN" --config "$work/backup.conf" backup --data "$work/store" >/dev/null 2>&1
check "the file wins over the environment" "yes no" "$([ -f "$work/from-file.db" ] && echo yes) $([ -f "$work/from-env2.db" ] && echo yes || echo no)"
SWITCHBOARD_BACKUP_OUT="$work/from-env3.db" "$BIN" --config "$work/backup.conf" backup --data "$work/store" --out "$work/from-cli.db" >/dev/null 2>&1
check "the command line wins over both" "yes" "$([ -f "$work/from-cli.db" ] && echo yes)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
