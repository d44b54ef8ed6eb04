package db

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/executor"
)

// CodeTooLarge classifies a result past runtime.max_rows or
// runtime.max_bytes. It is not retried: the same query returns as much.
const CodeTooLarge = "RESULT_TOO_LARGE"

// limits bound what one statement may return.
type limits struct {
	rows, bytes int
}

// readRows reads every row as a map of column name to a JSON value,
// failing as soon as the result passes a limit (the rest is not read).
// Each row's JSON, measured for the limit, is also written to log.
func readRows(rs *sql.Rows, lim limits, log io.Writer) ([]any, error) {
	cols, err := rs.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := []any{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	size := 2
	for rs.Next() {
		if len(out) == lim.rows {
			return nil, &executor.Error{Code: CodeTooLarge, Message: fmt.Sprintf(
				"the query returned more than %d rows (runtime.max_rows): add a LIMIT, or raise max_rows", lim.rows)}
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			row[c.Name()] = jsonValue(vals[i], c.DatabaseTypeName())
		}
		b, err := json.Marshal(row)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", len(out)+1, err)
		}
		if size += len(b) + 1; size > lim.bytes {
			return nil, &executor.Error{Code: CodeTooLarge, Message: fmt.Sprintf(
				"the query's rows passed %d bytes as JSON at row %d (runtime.max_bytes): select fewer columns or rows, or raise max_bytes", lim.bytes, len(out)+1)}
		}
		out = append(out, row)
		_, _ = log.Write(append(b, '\n')) // the node's log; a write error there does not fail the query
	}
	return out, rs.Err()
}

// jsonValue turns what a driver scanned into a JSON value: numbers stay
// numbers, json and jsonb columns are parsed, times are RFC 3339 text,
// bytes are text when they are UTF-8 and base64 otherwise.
func jsonValue(v any, dbType string) any {
	t := strings.ToUpper(dbType)
	switch x := v.(type) {
	case nil, bool, int64, string:
		if s, ok := x.(string); ok {
			return textValue(s, t)
		}
		return x
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case []byte:
		if utf8.Valid(x) {
			return textValue(string(x), t)
		}
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// textValue parses text the database typed: JSON, and NUMERIC when a
// float64 holds it exactly (else it stays text, not rounded).
func textValue(s, dbType string) any {
	switch dbType {
	case "JSON", "JSONB":
		var v any
		if json.Unmarshal([]byte(s), &v) == nil {
			return v
		}
	case "NUMERIC", "DECIMAL":
		exact := s
		if strings.Contains(exact, ".") {
			exact = strings.TrimRight(strings.TrimRight(exact, "0"), ".")
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == exact {
			return f
		}
	}
	return s
}
