package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/executor/agent/llmtest"
	"github.com/osopdev/osop/internal/executor/mcp/mcptest"
	"github.com/osopdev/osop/internal/shared"
)

// mcpTestServer is the program osop-mcp-test in scripts: a real MCP
// server built with the SDK, on stdio.
func mcpTestServer() {
	os.Setenv(mcptest.EnvVar, "1")
	mcptest.Main()
}

// cmdLLMServe starts a loopback provider for the rest of the script and
// sets $NAME to its URL: llmserve NAME anthropic|openai SCRIPT.JSON. At
// the end of the script, any request whose shape was wrong fails it.
func cmdLLMServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: llmserve NAME anthropic|openai SCRIPT")
	}
	s, err := llmtest.Serve(args[1], ts.MkAbs(args[2]))
	if err != nil {
		ts.Fatalf("llmserve: %v", err)
	}
	ts.Defer(func() {
		s.Close()
		if p := s.Problems(); len(p) > 0 {
			ts.Fatalf("requests to %s did not have the documented shape:\n%s", args[0], strings.Join(p, "\n"))
		}
	})
	ts.Setenv(args[0], s.URL)
	ts.Setenv(args[0]+"_REQUESTS", "0")
}

// cmdOsoplogValid checks an execution record against the published
// osoplog schema (../shared/osop-spec): osoplogvalid FILE.
func cmdOsoplogValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: osoplogvalid FILE")
	}
	spec, ok := shared.Lookup("osop-spec")
	if !ok {
		ts.Logf("no ../shared/osop-spec: the record is not checked against the published schema")
		return
	}
	c := jsonschema.NewCompiler()
	s, err := c.Compile(filepath.Join(spec, "schema", "osoplog.schema.json"))
	if err != nil {
		ts.Fatalf("compiling the published schema: %v", err)
	}
	var doc any
	if err := yaml.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	err = s.Validate(doc)
	if neg {
		if err == nil {
			ts.Fatalf("%s is valid", args[0])
		}
		return
	}
	if err != nil {
		ts.Fatalf("%s does not validate against the published osoplog schema: %v", args[0], err)
	}
}
