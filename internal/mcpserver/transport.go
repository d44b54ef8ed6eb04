package mcpserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Grace is how long Serve waits, once its context ends, for the runs the
// server started to write their records.
const Grace = 15 * time.Second

// ServeStdio serves one client over r and w (osop mcp's stdin and stdout)
// until the client closes r or ctx ends. Runs the server started are
// then cancelled, and recorded as cancelled.
func (s *Server) ServeStdio(ctx context.Context, r io.ReadCloser, w io.WriteCloser) error {
	ctx, cancel := context.WithCancel(ctx)
	defer s.drain(Grace)
	defer cancel()
	s.start(ctx)
	err := s.mcp.Run(ctx, &mcp.IOTransport{Reader: r, Writer: w})
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// NewToken returns a fresh bearer token: 32 random bytes, hex.
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// ServeHTTP serves streamable HTTP at /mcp on ln until ctx ends. Every
// request needs Authorization: Bearer token; the token is compared in
// constant time. Requests from other origins are refused, and so are
// requests to a loopback address that name another host (DNS rebinding).
func (s *Server) ServeHTTP(ctx context.Context, ln net.Listener, token string) error {
	if len(token) < 16 {
		return errors.New("the bearer token must be at least 16 characters")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer s.drain(Grace)
	defer cancel()
	s.start(ctx)
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, &mcp.StreamableHTTPOptions{
		SessionTimeout: 30 * time.Minute,
	})
	mux := http.NewServeMux()
	mux.Handle("/mcp", http.NewCrossOriginProtection().Handler(
		auth.RequireBearerToken(verifier(token), &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(handler)))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer stop()
	_ = srv.Shutdown(sctx) // streams still open are closed when it times out
	return nil
}

// verifier accepts exactly token. Both sides are hashed first, so the
// comparison takes the same time whatever the length of the guess.
func verifier(token string) auth.TokenVerifier {
	want := sha256.Sum256([]byte(token))
	return func(_ context.Context, got string, _ *http.Request) (*auth.TokenInfo, error) {
		h := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(h[:], want[:]) != 1 {
			return nil, fmt.Errorf("%w: wrong bearer token", auth.ErrInvalidToken)
		}
		return &auth.TokenInfo{UserID: "osop"}, nil
	}
}

// ListenAddr turns --http's value into where to listen: a bare port or
// :PORT is on 127.0.0.1, so the server is not reachable from elsewhere
// unless a host is named.
func ListenAddr(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errors.New("--http needs HOST:PORT, such as 127.0.0.1:8765")
	}
	if !strings.Contains(v, ":") {
		v = ":" + v
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", fmt.Errorf("--http %q: %w", v, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Loopback reports whether addr's host is a loopback address.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
