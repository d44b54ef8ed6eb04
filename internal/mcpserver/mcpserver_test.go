package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/osopdev/osop/internal/run"
)

func TestListenAddr(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"8765": "127.0.0.1:8765", ":8765": "127.0.0.1:8765", "127.0.0.1:0": "127.0.0.1:0",
		"localhost:9": "localhost:9", "0.0.0.0:80": "0.0.0.0:80", "[::1]:7": "[::1]:7",
	}
	for in, want := range cases {
		if got, err := ListenAddr(in); err != nil || got != want {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a:b:c"} {
		if _, err := ListenAddr(bad); err == nil {
			t.Errorf("ListenAddr(%q): no error", bad)
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:1": true, "[::1]:1": true, "localhost:1": true, "0.0.0.0:1": false, "10.0.0.1:1": false} {
		if Loopback(addr) != want {
			t.Errorf("Loopback(%q) = %v", addr, !want)
		}
	}
}

func TestVerifier(t *testing.T) {
	t.Parallel()
	v := verifier("0123456789abcdef0123")
	if _, err := v(context.Background(), "0123456789abcdef0123", nil); err != nil {
		t.Errorf("the token: %v", err)
	}
	for _, bad := range []string{"", "0123456789abcdef012", "0123456789abcdef01234", "0123456789abcdef0124"} {
		if _, err := v(context.Background(), bad, nil); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%q: err = %v, want ErrInvalidToken", bad, err)
		}
	}
	if a, b := NewToken(), NewToken(); len(a) != 64 || a == b {
		t.Errorf("NewToken: %q, %q", a, b)
	}
}

// TestLive_page: a cursor walks every event once, across the bound on
// kept events.
func TestLive_page(t *testing.T) {
	t.Parallel()
	l := &live{}
	total := maxEvents + 250
	for i := range total {
		l.add(run.Event{Kind: run.NodeStarted, Node: fmt.Sprint(i)})
	}
	l.done = true
	// A reader that kept up until the bound sees the kept ones from where
	// they start; one that starts at 0 skips what was dropped.
	events, next, done := l.page(0, 100)
	if events[0].Node != "250" || next != 350 || done {
		t.Fatalf("first page: %s…, next %d, done %v", events[0].Node, next, done)
	}
	seen := 100
	for !done {
		events, next, done = l.page(next, 1000)
		seen += len(events)
	}
	if seen != maxEvents || next != total {
		t.Errorf("read %d events to %d, want %d to %d", seen, next, maxEvents, total)
	}
	if events, n, done := l.page(total+5, 10); len(events) != 0 || n != total || !done {
		t.Errorf("past the end: %d events, next %d, done %v", len(events), n, done)
	}
}
