#!/bin/sh
# Written by redis-failover-operator.
# usage: init.sh redis|sentinel TEMPLATE PASSWORD_FILE OUT SECRET_DESCRIPTION
# redis: OUT includes TEMPLATE. sentinel: OUT is a copy of TEMPLATE (the sentinel rewrites it).
# Either way, when PASSWORD_FILE exists its content becomes requirepass (and masterauth for redis).
set -eu
mode=$1 template=$2 password_file=$3 out=$4 secret=$5
tmp="$out.tmp"
case "$mode" in
redis) printf 'include %s\n' "$template" >"$tmp" ;;
sentinel) cat "$template" >"$tmp" ;;
*) echo "init.sh: unknown mode $mode" >&2; exit 2 ;;
esac
if [ -e "$password_file" ]; then
	size=$(wc -c <"$password_file")
	if [ "$size" -eq 0 ]; then
		echo "the password in $secret is empty: put a password in it" >&2
		exit 1
	fi
	printable=$(LC_ALL=C tr -d '\000-\037\177' <"$password_file" | wc -c)
	if [ "$printable" -ne "$size" ]; then
		echo "the password in $secret contains a newline or another control character (often a trailing newline from echo): recreate the Secret, e.g. kubectl create secret generic NAME --from-literal=password=..." >&2
		exit 1
	fi
	hex=$(od -An -v -tx1 "$password_file" | tr -d ' \n' | sed 's/../\\x&/g')
	printf 'requirepass "%s"\n' "$hex" >>"$tmp"
	if [ "$mode" = redis ]; then
		printf 'masterauth "%s"\n' "$hex" >>"$tmp"
	fi
fi
chmod 0600 "$tmp"
mv "$tmp" "$out"
