#!/bin/sh
# next.sh DIR [TIMEOUT_SECONDS=900]
# Blocks until DIR holds a *.prompt.md without its answer (prints its path) or
# DIR/result.json exists (prints "DONE DIR/result.json"). Exit 1 on timeout.
dir=${1:?usage: next.sh DIR [TIMEOUT]}
timeout=${2:-900}
end=$(( $(date +%s) + timeout ))
while [ "$(date +%s)" -lt "$end" ]; do
  for p in "$dir"/*.prompt.md; do
    [ -e "$p" ] || continue
    stem=${p%.prompt.md}
    if [ ! -e "$stem.answer.json" ] && [ ! -e "$stem.answer.txt" ]; then
      echo "$p"; exit 0
    fi
  done
  if [ -e "$dir/result.json" ]; then echo "DONE $dir/result.json"; exit 0; fi
  sleep 1
done
echo "TIMEOUT after ${timeout}s waiting in $dir" >&2
exit 1
