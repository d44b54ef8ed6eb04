// Package mcptest builds a real MCP server with the official SDK, for
// tests of osop's MCP client side: over stdio (a test binary runs Serve)
// or streamable HTTP on 127.0.0.1 (Handler).
//
// Tools: add {a, b} gives structured {sum}; echo {text} gives text
// content; lookup {key} gives JSON text; fail answers isError; hang
// starts a child process in its group, writes its pid to pidfile, and
// waits for the call to be cancelled; it writes "hello from the server" to
// stderr when it starts.
package mcptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// EnvVar, set to 1, makes a test binary serve MCP on stdio (see Main).
const EnvVar = "OSOP_MCPTEST_SERVER"

type addIn struct {
	A int `json:"a"`
	B int `json:"b"`
}
type addOut struct {
	Sum int `json:"sum"`
}
type textIn struct {
	Text string `json:"text"`
}
type keyIn struct {
	Key string `json:"key"`
}
type hangIn struct {
	PIDFile string `json:"pidfile"`
}

// Server returns the test server.
func Server() *sdk.Server {
	s := sdk.NewServer(&sdk.Implementation{Name: "osop-test", Version: "1"}, nil)
	sdk.AddTool(s, &sdk.Tool{Name: "add", Description: "Add two integers."}, func(_ context.Context, _ *sdk.CallToolRequest, in addIn) (*sdk.CallToolResult, addOut, error) {
		return nil, addOut{Sum: in.A + in.B}, nil
	})
	sdk.AddTool(s, &sdk.Tool{Name: "echo", Description: "Echo text."}, func(_ context.Context, _ *sdk.CallToolRequest, in textIn) (*sdk.CallToolResult, any, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: in.Text}}}, nil, nil
	})
	sdk.AddTool(s, &sdk.Tool{Name: "lookup", Description: "Look a customer up."}, func(_ context.Context, _ *sdk.CallToolRequest, in keyIn) (*sdk.CallToolResult, any, error) {
		b, _ := json.Marshal(map[string]any{"customer": in.Key, "plan": "pro", "seats": 12})
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}, nil, nil
	})
	sdk.AddTool(s, &sdk.Tool{Name: "fail", Description: "Always fails."}, func(_ context.Context, _ *sdk.CallToolRequest, _ textIn) (*sdk.CallToolResult, any, error) {
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: "the database is down"}}}, nil, nil
	})
	sdk.AddTool(s, &sdk.Tool{Name: "hang", Description: "Never answers."}, func(ctx context.Context, _ *sdk.CallToolRequest, in hangIn) (*sdk.CallToolResult, any, error) {
		child := exec.Command("sleep", "300")
		if err := child.Start(); err != nil {
			return nil, nil, err
		}
		_ = os.WriteFile(in.PIDFile, []byte(strconv.Itoa(os.Getpid())+" "+strconv.Itoa(child.Process.Pid)), 0o600)
		<-ctx.Done()
		return nil, nil, ctx.Err()
	})
	return s
}

// Main serves on stdio when EnvVar is set, and exits; call it first in
// TestMain.
func Main() {
	if os.Getenv(EnvVar) != "1" {
		return
	}
	fmt.Fprintln(os.Stderr, "hello from the server")
	if err := Server().Run(context.Background(), &sdk.StdioTransport{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Handler serves the test server over streamable HTTP.
func Handler() http.Handler {
	s := Server()
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s }, nil)
}
