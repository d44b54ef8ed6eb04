package parse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// loader normalises a value tree into the model. It is lenient about
// shapes: a field of the wrong kind is skipped here and reported by the
// schema check, so that each problem is reported once.
type loader struct {
	file string
	ds   diag.Diagnostics
}

// alias records, at Info, that the loader read a field under another name.
func (l *loader) alias(at diag.Range, format string, args ...any) {
	l.ds = l.ds.Append(diag.Info, "alias", at, fmt.Sprintf(format, args...), "")
}

func (l *loader) errorf(code string, at diag.Range, detail, format string, args ...any) {
	l.ds = l.ds.Append(diag.Error, code, at, fmt.Sprintf(format, args...), detail)
}

func (l *loader) warnf(code string, at diag.Range, detail, format string, args ...any) {
	l.ds = l.ds.Append(diag.Warning, code, at, fmt.Sprintf(format, args...), detail)
}

// str reads a scalar field as a string. Numbers and booleans keep their
// literal text, since ids such as 2024 are still ids.
func str(m *ast.Value, key string) ast.Str {
	v := m.Get(key)
	s, ok := v.String()
	if !ok {
		return ast.Str{}
	}
	return ast.Str{V: s, R: v.Range}
}

// strOf reads a value as a string field.
func strOf(v *ast.Value) ast.Str {
	s, ok := v.String()
	if !ok {
		return ast.Str{}
	}
	return ast.Str{V: s, R: v.Range}
}

// strList reads a list of scalars; a single scalar counts as a list of one.
func strList(v *ast.Value) []ast.Str {
	if v == nil {
		return nil
	}
	if v.Kind != ast.List {
		if s := strOf(v); s.Set() {
			return []ast.Str{s}
		}
		return nil
	}
	var out []ast.Str
	for _, it := range v.Items {
		if s := strOf(it); s.Set() {
			out = append(out, s)
		}
	}
	return out
}

// intOf reads an integral number; ok is false for anything else.
func intOf(v *ast.Value) (int, bool) {
	switch {
	case v == nil:
		return 0, false
	case v.Kind == ast.Int && v.Int >= math.MinInt32 && v.Int <= math.MaxInt32:
		return int(v.Int), true
	case v.Kind == ast.Float && v.Float == math.Trunc(v.Float) && math.Abs(v.Float) < math.MaxInt32:
		return int(v.Float), true
	}
	return 0, false
}

func boolOf(v *ast.Value) (bool, bool) {
	if v == nil || v.Kind != ast.Bool {
		return false, false
	}
	return v.Bool, true
}

// ParseDuration reads a duration as OSOP files write them: a number of
// seconds (30, 2.5, "30"), or a string with units ("30s", "10m", "1h30m",
// "24h", "2d").
func ParseDuration(v *ast.Value) (time.Duration, bool) {
	if n, ok := v.Number(); ok {
		return secondsToDuration(n)
	}
	s, ok := v.String()
	if !ok {
		return 0, false
	}
	return ParseDurationString(s)
}

// ParseDurationString is [ParseDuration] for a string.
func ParseDurationString(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return secondsToDuration(n)
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.ParseFloat(days, 64); err == nil {
			return secondsToDuration(n * 86400)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, false
	}
	return d, true
}

func secondsToDuration(n float64) (time.Duration, bool) {
	if math.IsNaN(n) || math.Abs(n) > float64(math.MaxInt64/int64(time.Second)) {
		return 0, false
	}
	return time.Duration(n * float64(time.Second)), true
}

// duration reads a timeout field. Unreadable strings are errors here, since
// no schema can say what "ten minutes" means.
func (l *loader) duration(v *ast.Value, field string) *ast.Duration {
	if v == nil || v.Kind == ast.Null {
		return nil
	}
	d, ok := ParseDuration(v)
	if !ok {
		if v.IsScalar() {
			l.errorf("invalid-duration", v.Range, `write seconds (300) or a duration with units ("30s", "10m", "1h30m", "2d")`,
				"%s %q is not a duration", field, v.Str)
		}
		return nil
	}
	return &ast.Duration{D: d, Raw: v.Str, Range: v.Range}
}
