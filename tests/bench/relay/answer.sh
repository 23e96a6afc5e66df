#!/bin/sh
# answer.sh PROMPT_PATH  (answer JSON on stdin) -> writes <stem>.answer.json atomically.
p=${1:?usage: answer.sh NNN-purpose.prompt.md < answer.json}
stem=${p%.prompt.md}
cat > "$stem.answer.tmp" && mv "$stem.answer.tmp" "$stem.answer.json" && echo "answered $stem.answer.json"
