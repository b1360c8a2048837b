#!/usr/bin/env bash
# Regenerates sample.diff from a real git repository.
# Usage: bash review/testdata/gen-sample.sh
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/sample.diff"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" && git init -q r && cd r
git config user.email t@example.com && git config user.name t
mkdir -p app
cat > app/server.go <<'EOF'
package app

import "net/http"

func handler(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	w.Write([]byte("hello " + name))
}

func unused() {}
EOF
printf 'old line\n' > notes.txt
git add -A && git commit -qm base
cat > app/server.go <<'EOF'
package app

import (
	"database/sql"
	"net/http"
)

func handler(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		rows, _ := db.Query("SELECT * FROM users WHERE name = '" + name + "'")
		defer rows.Close()
		w.Write([]byte("hello " + name))
	}
}
EOF
git rm -q notes.txt
printf 'package app\n\nfunc Add(a, b int) int { return a - b }\n' > app/math.go
git add -A
git diff --cached > "$out"
