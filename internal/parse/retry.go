package parse

import (
	"time"

	"github.com/osopdev/osop/internal/ast"
)

// defaultBackoff is the wait between attempts when a policy names none.
const defaultBackoff = time.Second

// retryOf reads a node's (or the workflow's) retry policy from either
// dialect. When both are present the schema dialect's retry_policy wins.
func (l *loader) retryOf(v *ast.Value) *ast.Retry {
	pol, prose := v.Field("retry_policy"), v.Field("retry")
	switch {
	case pol != nil && pol.Value.IsMap():
		if prose != nil {
			l.warnf("conflicting-fields", prose.KeyRange, "keep one of them", "retry is ignored: retry_policy is also set")
		}
		return l.retryPolicy(pol)
	case prose != nil && prose.Value.IsMap():
		return l.retryProse(prose)
	}
	return nil
}

// retryPolicy reads {max_retries, backoff_sec, strategy}.
func (l *loader) retryPolicy(f *ast.Field) *ast.Retry {
	m := f.Value
	r := &ast.Retry{MaxAttempts: 1, Range: f.KeyRange, CountRange: f.KeyRange}
	if c := m.Get("max_retries"); c != nil {
		if n, ok := intOf(c); ok {
			r.MaxAttempts = n + 1
			r.CountRange = c.Range
		}
	}
	r.Backoff = ast.Backoff{Type: "fixed", Initial: defaultBackoff, Range: f.KeyRange}
	if b := m.Get("backoff_sec"); b != nil {
		if d, ok := ParseDuration(b); ok {
			r.Backoff.Initial = d
			r.Backoff.Range = b.Range
		}
	}
	if mx := l.duration(m.Get("max_backoff_sec"), "max_backoff_sec"); mx != nil {
		r.Backoff.Max = mx.D
	}
	switch s := str(m, "strategy"); s.V {
	case "exponential_backoff", "exponential":
		r.Backoff.Type, r.Backoff.Multiplier = "exponential", 2
	case "linear":
		r.Backoff.Type = "linear"
	}
	r.Jitter, _ = boolOf(m.Get("jitter"))
	return r
}

// retryProse reads {max_attempts, backoff: {type, initial_delay, max_delay,
// multiplier}, retryable_errors}.
func (l *loader) retryProse(f *ast.Field) *ast.Retry {
	m := f.Value
	r := &ast.Retry{MaxAttempts: 1, Range: f.KeyRange, CountRange: f.KeyRange}
	if c := m.Get("max_attempts"); c != nil {
		if n, ok := intOf(c); ok {
			r.MaxAttempts = n
			r.CountRange = c.Range
		}
	} else if c := m.Get("max_retries"); c != nil {
		if n, ok := intOf(c); ok {
			r.MaxAttempts = n + 1
			r.CountRange = c.Range
		}
	}
	r.Backoff = ast.Backoff{Type: "fixed", Initial: defaultBackoff, Multiplier: 2, Range: f.KeyRange}
	switch b := m.Get("backoff"); {
	case b.IsMap():
		r.Backoff.Range = b.Range
		if t := str(b, "type"); t.Set() {
			r.Backoff.Type = t.V
		}
		if d := l.duration(b.Get("initial_delay"), "initial_delay"); d != nil {
			r.Backoff.Initial = d.D
		}
		if d := l.duration(b.Get("max_delay"), "max_delay"); d != nil {
			r.Backoff.Max = d.D
		}
		if mult, ok := b.Get("multiplier").Number(); ok {
			r.Backoff.Multiplier = mult
		}
	case b != nil && b.Kind == ast.String:
		r.Backoff.Type = b.Str
		r.Backoff.Range = b.Range
	}
	if r.Backoff.Type == "exponential_backoff" {
		r.Backoff.Type = "exponential"
	}
	for _, e := range strList(m.Get("retryable_errors")) {
		r.RetryableErrors = append(r.RetryableErrors, e.V)
	}
	r.Jitter, _ = boolOf(m.Get("jitter"))
	return r
}
