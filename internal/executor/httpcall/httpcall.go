// Package httpcall runs api nodes: one HTTP request per attempt.
//
// The response becomes the node's outputs: status_code, headers and body
// (parsed when it is JSON), and the parsed body again under the node's
// first declared output, so `outputs: [health_status]` lets a condition
// read health_status.status. runtime.response_mapping adds outputs picked
// from the body with JSONPath. A 5xx, 408, 429, a timeout or a connection
// error is retryable; any other unexpected status fails the node with an
// excerpt of the body.
package httpcall

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/jsonpath"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executor for api nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "api", New: func() executor.Executor { return &Call{} }})
}

// Call makes a node's HTTP request.
type Call struct{}

var (
	_ executor.Checker   = (*Call)(nil)
	_ executor.Describer = (*Call)(nil)
)

// bodyLimit bounds the response body read.
const bodyLimit = 10 << 20

// Check reports a missing URL and malformed settings.
func (c *Call) Check(n executor.NodeConfig) []executor.Problem {
	var ps []executor.Problem
	bad := func(path, summary, detail string) {
		ps = append(ps, executor.Problem{Path: strings.Split(path, "."), Severity: diag.Error, Summary: summary, Detail: detail})
	}
	if u, _ := n.Runtime["url"].(string); u == "" {
		bad("runtime", "an api node needs runtime.url", `add url: "https://…" (runtime.endpoint alone names the API but not where it is)`)
	}
	if m, ok := n.Runtime["method"].(string); ok && !validMethod(strings.ToUpper(m)) {
		bad("runtime.method", fmt.Sprintf("%q is not an HTTP method", m), "use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
	}
	if h, ok := n.Runtime["headers"]; ok {
		if _, isMap := h.(map[string]any); !isMap {
			bad("runtime.headers", "headers must be a map of Name: value", "")
		}
	}
	if es, ok := n.Runtime["expected_status"]; ok {
		if _, err := expected(es); err != nil {
			bad("runtime.expected_status", err.Error(), "write expected_status: 200, or a list [200, 204]")
		}
	}
	return ps
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// request builds the HTTP request with templates resolved.
type request struct {
	method, url string
	headers     http.Header
	body        []byte
}

func (c *Call) build(req *executor.Request) (*request, error) {
	r := &request{method: "GET", headers: http.Header{}}
	if m, _ := req.Runtime["method"].(string); m != "" {
		r.method = strings.ToUpper(m)
	}
	u, _ := req.Runtime["url"].(string)
	if u == "" {
		return nil, executor.Errorf(run.CodeConfig, false, "node %q has no runtime.url", req.NodeID)
	}
	var err error
	if r.url, err = executor.ExpandURL(req, u, "http", "https"); err != nil {
		return nil, err
	}
	hs, _ := req.Runtime["headers"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(hs)) {
		v, err := req.Expand(fmt.Sprint(hs[k]))
		if err != nil {
			return nil, err
		}
		if err := headerValue(k, v); err != nil {
			return nil, err
		}
		r.headers.Set(k, v)
	}
	if err := c.auth(req, r); err != nil {
		return nil, err
	}
	if err := headerValue("Authorization", r.headers.Get("Authorization")); err != nil {
		return nil, err
	}
	body := req.Runtime["body"]
	if body == nil {
		body = req.Runtime["body_template"]
	}
	switch b := body.(type) {
	case nil:
	case string:
		s, err := expandBody(req, b, r.headers.Get("Content-Type"))
		if err != nil {
			return nil, err
		}
		r.body = []byte(s)
	default:
		expanded, err := expandAll(req, b)
		if err != nil {
			return nil, err
		}
		if r.body, err = json.Marshal(expanded); err != nil {
			return nil, executor.Errorf(run.CodeConfig, false, "body: %v", err)
		}
		if r.headers.Get("Content-Type") == "" {
			r.headers.Set("Content-Type", "application/json")
		}
	}
	return r, nil
}

// headerValue refuses a header value that would end the header and
// start another (a line break from a value) or that HTTP forbids.
func headerValue(name, v string) error {
	if i := strings.IndexFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }); i >= 0 {
		return executor.Errorf(run.CodeConfig, false, "header %s: its value holds the control character %q, which would end the header; a value in a header must be one line of text", name, v[i:i+1])
	}
	return nil
}

// auth applies runtime.auth {type: bearer|basic, secret_ref | token}.
func (c *Call) auth(req *executor.Request, r *request) error {
	a, _ := req.Runtime["auth"].(map[string]any)
	if a == nil {
		return nil
	}
	ref, _ := a["secret_ref"].(string)
	token, _ := a["token"].(string)
	if ref != "" {
		token = "${secrets." + ref + "}"
	}
	v, err := req.Expand(token)
	if err != nil {
		return err
	}
	switch t, _ := a["type"].(string); strings.ToLower(t) {
	case "", "bearer":
		r.headers.Set("Authorization", "Bearer "+v)
	case "basic":
		r.headers.Set("Authorization", "Basic "+v)
	default:
		return executor.Errorf(run.CodeConfig, false, "auth type %q: want bearer or basic", t)
	}
	return nil
}

// expandAll resolves templates in every string of a body map or list.
func expandAll(req *executor.Request, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return req.Expand(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			e, err := expandAll(req, val)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			e, err := expandAll(req, val)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	return v, nil
}

// Describe shows the request line, headers and body size.
func (c *Call) Describe(req *executor.Request) (string, error) {
	r, err := c.build(req)
	if err != nil {
		return "", err
	}
	s := r.method + " " + r.url
	for _, k := range slices.Sorted(maps.Keys(r.headers)) {
		s += fmt.Sprintf(" -H '%s: %s'", k, r.headers.Get(k))
	}
	if len(r.body) > 0 {
		s += fmt.Sprintf(" --data %s", truncate(string(r.body), 200))
	}
	return s, nil
}

// Execute makes the request once.
func (c *Call) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	r, err := c.build(req)
	if err != nil {
		return nil, err
	}
	client, err := c.client(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, r.method, r.url, bytes.NewReader(r.body))
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "request: %v", err)
	}
	hreq.Header = r.headers
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", "osop")
	}
	fmt.Fprintf(req.Stderr, "%s %s\n", r.method, req.Mask(r.url))
	start := time.Now()
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, classifyTransport(ctx, r, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil {
		return nil, executor.Errorf(run.CodeConnection, true, "%s %s: reading the response: %v", r.method, r.url, err)
	}
	fmt.Fprintf(req.Stderr, "%s in %s, %d bytes\n", resp.Status, time.Since(start).Round(time.Millisecond), len(raw))
	_, _ = req.Stdout.Write(raw)
	outputs := responseOutputs(resp, raw, req.Outputs)
	if err := mapResponse(req, outputs); err != nil {
		return nil, err
	}
	ok, err := expected(req.Runtime["expected_status"])
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "expected_status: %v", err)
	}
	if !ok(resp.StatusCode) {
		return nil, statusError(r, resp, raw, outputs)
	}
	return &executor.Result{Outputs: outputs}, nil
}

func (c *Call) client(req *executor.Request) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if t, _ := req.Runtime["tls"].(map[string]any); t != nil {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if skip, _ := t["insecure_skip_verify"].(bool); skip {
			cfg.InsecureSkipVerify = true
		}
		if ca, _ := t["ca_file"].(string); ca != "" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				return nil, executor.Errorf(run.CodeConfig, false, "tls.ca_file: %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, executor.Errorf(run.CodeConfig, false, "tls.ca_file %s holds no PEM certificate", ca)
			}
			cfg.RootCAs = pool
		}
		cert, _ := t["cert_file"].(string)
		key, _ := t["key_file"].(string)
		if cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, key)
			if err != nil {
				return nil, executor.Errorf(run.CodeConfig, false, "tls.cert_file: %v", err)
			}
			cfg.Certificates = []tls.Certificate{pair}
		}
		tr.TLSClientConfig = cfg
	}
	client := &http.Client{Transport: tr}
	if follow, ok := req.Runtime["follow_redirects"].(bool); ok && !follow {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return client, nil
}

func classifyTransport(ctx context.Context, r *request, err error) error {
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		code, retry := executor.Stopped(ctx)
		return &executor.Error{Code: code, Retryable: retry, Err: err, Message: fmt.Sprintf("%s %s: stopped: %s", r.method, r.url, executor.StopReason(ctx))}
	case errors.Is(err, syscall.ECONNREFUSED):
		return executor.Errorf(run.CodeConnection, true, "%s %s: connection refused: nothing is listening there", r.method, r.url)
	case errors.As(err, &ne) && ne.Timeout():
		return executor.Errorf(run.CodeTimeout, true, "%s %s: timed out: %v", r.method, r.url, err)
	}
	return executor.Errorf(run.CodeConnection, true, "%s %s: %v", r.method, r.url, err)
}

// responseOutputs turns the response into outputs.
func responseOutputs(resp *http.Response, raw []byte, declared []string) map[string]any {
	headers := map[string]any{}
	for k, v := range resp.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	var body any = string(raw)
	var parsed any
	if json.Unmarshal(raw, &parsed) == nil {
		body = parsed
	} else if !utf8.Valid(raw) {
		body = fmt.Sprintf("(%d bytes of binary data)", len(raw))
	}
	out := map[string]any{"status_code": int64(resp.StatusCode), "headers": headers, "body": body}
	if len(declared) > 0 {
		named := body
		if m, ok := body.(map[string]any); ok {
			cp := make(map[string]any, len(m)+1)
			for k, v := range m {
				cp[k] = v
			}
			if _, has := cp["status_code"]; !has {
				cp["status_code"] = int64(resp.StatusCode)
			}
			named = cp
		}
		out[declared[0]] = named
	}
	return out
}

func mapResponse(req *executor.Request, outputs map[string]any) error {
	mapping, _ := req.Runtime["response_mapping"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(mapping)) {
		path, _ := mapping[name].(string)
		v, err := jsonpath.Get(outputs["body"], path)
		if err != nil {
			return &executor.Error{Code: run.CodeMissingOut, Message: fmt.Sprintf("response_mapping %s: %v", name, err), Outputs: outputs}
		}
		outputs[name] = v
	}
	return nil
}

func statusError(r *request, resp *http.Response, raw []byte, outputs map[string]any) error {
	code, retry := run.CodeHTTPStatus, false
	switch s := resp.StatusCode; {
	case s >= 500:
		code, retry = run.CodeHTTP5xx, true
	case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout:
		code, retry = run.CodeHTTP4xx, true
	case s >= 400:
		code = run.CodeHTTP4xx
	}
	msg := fmt.Sprintf("%s %s: unexpected status %s", r.method, r.url, resp.Status)
	if excerpt := bodySummary(raw); excerpt != "" {
		msg += ": " + excerpt
	}
	return &executor.Error{Code: code, Retryable: retry, Message: msg, Outputs: outputs}
}

// bodySummary is the first line of an error response, for the one-line
// message: the whole body is the node's output (osop logs).
func bodySummary(raw []byte) string {
	if !utf8.Valid(raw) {
		return fmt.Sprintf("(%d bytes of binary data)", len(raw))
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	s := diag.Printable(truncate(strings.TrimSpace(lines[0]), 160))
	if len(lines) > 1 {
		s += fmt.Sprintf(" (+%d more lines)", len(lines)-1)
	}
	return s
}

// expected turns expected_status (a code, a list, or a class like "2xx")
// into a predicate; the default accepts 2xx.
func expected(v any) (func(int) bool, error) {
	if v == nil {
		return func(s int) bool { return s >= 200 && s < 300 }, nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var exact []int
	var classes []int
	for _, x := range list {
		switch n := x.(type) {
		case int64:
			exact = append(exact, int(n))
		case float64:
			exact = append(exact, int(n))
		case string:
			if len(n) == 3 && strings.HasSuffix(strings.ToLower(n), "xx") && n[0] >= '1' && n[0] <= '5' {
				classes = append(classes, int(n[0]-'0'))
				continue
			}
			return nil, fmt.Errorf("%q is not a status code or a class like 2xx", n)
		default:
			return nil, fmt.Errorf("%v is not a status code", x)
		}
	}
	return func(s int) bool {
		for _, e := range exact {
			if s == e {
				return true
			}
		}
		for _, c := range classes {
			if s/100 == c {
				return true
			}
		}
		return false
	}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
