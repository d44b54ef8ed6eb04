package db

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/template"
)

// Engines osop speaks, by the names workflows give them.
var engines = map[string]string{
	"postgresql": "postgresql", "postgres": "postgresql", "pg": "postgresql", "pgvector": "postgresql",
	"sqlite": "sqlite", "sqlite3": "sqlite",
}

// EngineNames lists the runtime.engine values osop runs, for messages.
const EngineNames = "postgresql (postgres, pgvector) and sqlite (sqlite3)"

// engineOf gives the engine a node runs on: runtime.engine, else what
// the connection string's scheme says. ok is false when neither tells.
func engineOf(engine, conn string) (name string, ok bool, err error) {
	if engine != "" {
		e, known := engines[strings.ToLower(strings.TrimSpace(engine))]
		if !known {
			return "", false, fmt.Errorf("osop does not speak %s: db nodes run on %s", engine, EngineNames)
		}
		return e, true, nil
	}
	c := strings.ToLower(strings.TrimSpace(conn))
	switch {
	case strings.HasPrefix(c, "postgres://"), strings.HasPrefix(c, "postgresql://"):
		return "postgresql", true, nil
	case strings.HasPrefix(c, "sqlite:"), strings.HasPrefix(c, "sqlite3:"), strings.HasPrefix(c, "file:"),
		strings.HasSuffix(c, ".db"), strings.HasSuffix(c, ".sqlite"), strings.HasSuffix(c, ".sqlite3"):
		return "sqlite", true, nil
	}
	if c != "" && !template.HasRefs(c) {
		if scheme, _, found := strings.Cut(c, "://"); found {
			return "", false, fmt.Errorf("osop does not speak %s: db nodes run on %s", scheme, EngineNames)
		}
	}
	return "", false, nil
}

func dialectOf(engine string) dialect {
	if engine == "sqlite" {
		return dialectSQLite
	}
	return dialectPG
}

// keywordPassword finds password=… in a keyword/value connection string.
var keywordPassword = regexp.MustCompile(`(?i)(^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S*)`)

// passwordSpan returns where the password written in a connection string
// is: the userinfo of a URL, its password= query parameter, or a
// password=… keyword. ok is false when there is none.
func passwordSpan(conn string) (start, end int, ok bool) {
	if i := strings.Index(conn, "://"); i >= 0 {
		auth := i + 3
		stop := len(conn)
		if j := strings.IndexAny(conn[auth:], "/?#"); j >= 0 {
			stop = auth + j
		}
		if at := strings.LastIndexByte(conn[auth:stop], '@'); at >= 0 {
			if colon := strings.IndexByte(conn[auth:auth+at], ':'); colon >= 0 {
				return auth + colon + 1, auth + at, true
			}
		}
		if q := strings.IndexByte(conn, '?'); q >= 0 {
			for _, kv := range queryParts(conn, q+1) {
				if strings.EqualFold(conn[kv[0]:kv[1]], "password") {
					return kv[1] + 1, kv[2], true
				}
			}
		}
		return 0, 0, false
	}
	if m := keywordPassword.FindStringSubmatchIndex(conn); m != nil {
		return m[4], m[5], true
	}
	return 0, 0, false
}

// queryParts returns, for each key=value in the query starting at from,
// the offsets of the key's start, the '=' and the value's end.
func queryParts(s string, from int) [][3]int {
	var out [][3]int
	end := len(s)
	if h := strings.IndexByte(s[from:], '#'); h >= 0 {
		end = from + h
	}
	for i := from; i < end; {
		j := strings.IndexByte(s[i:end], '&')
		stop := end
		if j >= 0 {
			stop = i + j
		}
		if eq := strings.IndexByte(s[i:stop], '='); eq >= 0 {
			out = append(out, [3]int{i, i + eq, stop})
		}
		i = stop + 1
	}
	return out
}

// checkPassword reports a password written in the workflow file itself:
// it must come from ${secrets.NAME}, which osop masks everywhere.
func checkPassword(conn string) error {
	start, end, ok := passwordSpan(conn)
	if !ok || start == end {
		return nil
	}
	pw := conn[start:end]
	refs := template.Scan(pw)
	if len(refs) == 1 && refs[0].Namespace == "secrets" && refs[0].Text == strings.Trim(pw, "'") {
		return nil
	}
	if len(refs) > 0 {
		return fmt.Errorf("the password in the connection string comes from %s, which is not a secret: write ${secrets.NAME} and pass it with --secret NAME=…", refs[0].Text)
	}
	return fmt.Errorf("the connection string holds a password written in the file: write ${secrets.NAME} in its place (or runtime.password: ${secrets.NAME}) and pass it with --secret NAME=…")
}

// redact hides the password in a connection string meant for people.
func redact(conn string) string {
	start, end, ok := passwordSpan(conn)
	if !ok || start == end {
		return conn
	}
	return conn[:start] + "***" + conn[end:]
}

// sqliteDSN turns a connection string (sqlite:///abs.db, sqlite://rel.db,
// file:…, a path) into what the driver opens; a relative path is in
// workdir. Writers wait up to 5 s for each other instead of failing with
// "database is locked". path is the file, for people.
func sqliteDSN(conn, workdir string) (dsn, path string, err error) {
	s := strings.TrimSpace(conn)
	for _, p := range []string{"sqlite3://", "sqlite://", "sqlite3:", "sqlite:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
			break
		}
	}
	if s == "" {
		return "", "", fmt.Errorf("the connection names no SQLite file: write sqlite://data/app.db or a path")
	}
	if s == ":memory:" {
		return s, s, nil
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(s, "file:"), "?")
	if !filepath.IsAbs(path) {
		path = filepath.Join(workdir, path)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("the SQLite connection's options: %w", err)
	}
	if !strings.Contains(query, "busy_timeout") {
		q.Add("_pragma", "busy_timeout(5000)")
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String(), path, nil
}
