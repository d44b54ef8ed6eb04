package executor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
)

type limitErr struct{}

func (limitErr) Error() string { return "node x timed out after 1s" }
func (limitErr) Timeout() bool { return true }

func TestStopped(t *testing.T) {
	expired := func(cause error) context.Context {
		ctx, cancel := context.WithTimeoutCause(context.Background(), time.Nanosecond, cause)
		t.Cleanup(cancel)
		<-ctx.Done()
		return ctx
	}
	cancelled := func(cause error) context.Context {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		return ctx
	}
	tests := []struct {
		name  string
		ctx   context.Context
		code  string
		retry bool
	}{
		{"deadline", expired(nil), run.CodeTimeout, true},
		{"node limit as the cause", expired(limitErr{}), run.CodeTimeout, true},
		{"workflow limit reaching a child", cancelled(limitErr{}), run.CodeTimeout, true},
		{"interrupt", cancelled(nil), run.CodeCancelled, false},
		{"fail-fast", cancelled(errors.New("a failure nothing handled")), run.CodeCancelled, false},
	}
	for _, tt := range tests {
		if code, retry := Stopped(tt.ctx); code != tt.code || retry != tt.retry {
			t.Errorf("%s: Stopped = %s, %v; want %s, %v", tt.name, code, retry, tt.code, tt.retry)
		}
	}
}

func TestDecisionRejected(t *testing.T) {
	for choice, want := range map[string]bool{"reject": true, " Denied ": true, "no": true, "approve": false, "": false, "ship it": false} {
		if got := (Decision{Choice: choice}).Rejected(); got != want {
			t.Errorf("Decision{%q}.Rejected() = %v, want %v", choice, got, want)
		}
	}
}
