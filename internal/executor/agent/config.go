package agent

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/mcp"
)

// config is an agent node's runtime, read from runtime or, as much of the
// corpus writes it, runtime.config.
type config struct {
	Provider     string
	Model        string
	BaseURL      string
	APIKey       string
	System       string
	Temperature  *float64
	MaxTokens    int64
	Tools        []string
	OutputSchema any
	MaxTurns     int
	AllowShell   bool
	MaxRetries   int
	IdleTimeout  time.Duration
}

// Defaults.
const (
	defaultMaxTurns    = 10
	defaultMaxTokens   = 4096
	defaultMaxRetries  = 4
	defaultIdleTimeout = 2 * time.Minute
)

// field returns runtime[key], else runtime.config[key], with its path.
func field(rt map[string]any, key string) (any, []string) {
	if v, ok := rt[key]; ok {
		return v, []string{"runtime", key}
	}
	if cfg, ok := rt["config"].(map[string]any); ok {
		if v, ok := cfg[key]; ok {
			return v, []string{"runtime", "config", key}
		}
	}
	return nil, []string{"runtime", key}
}

// readConfig reads the runtime; problems are what Check reports.
func readConfig(rt map[string]any, servers map[string]any) (config, []executor.Problem) {
	c := config{MaxTurns: defaultMaxTurns, MaxTokens: defaultMaxTokens, MaxRetries: defaultMaxRetries, IdleTimeout: defaultIdleTimeout}
	var ps []executor.Problem
	bad := func(path []string, summary, detail string) {
		ps = append(ps, executor.Problem{Path: path, Severity: diag.Error, Summary: summary, Detail: detail})
	}
	str := func(key string) string {
		v, path := field(rt, key)
		if v == nil {
			return ""
		}
		s, ok := v.(string)
		if !ok {
			bad(path, fmt.Sprintf("is %T; want a string", v), "")
		}
		return s
	}
	c.Provider, c.Model, c.BaseURL, c.APIKey, c.System = strings.ToLower(str("provider")), str("model"), str("base_url"), str("api_key"), str("system_prompt")
	if v, path := field(rt, "temperature"); v != nil {
		f, ok := number(v)
		if !ok || f < 0 || f > 2 {
			bad(path, fmt.Sprintf("%v is not a temperature", v), "use a number from 0 to 2")
		}
		c.Temperature = &f
	}
	c.MaxTokens = positive(rt, "max_tokens", c.MaxTokens, bad)
	c.MaxTurns = int(positive(rt, "max_turns", int64(c.MaxTurns), bad))
	c.MaxRetries = int(positive(rt, "max_retries", int64(c.MaxRetries), bad))
	if v, path := field(rt, "idle_timeout_sec"); v != nil {
		f, ok := number(v)
		if !ok || f <= 0 {
			bad(path, fmt.Sprintf("%v is not a number of seconds", v), "")
		}
		c.IdleTimeout = time.Duration(f * float64(time.Second))
	}
	if v, _ := field(rt, "allow_shell"); v == true {
		c.AllowShell = true
	}
	c.OutputSchema, _ = field(rt, "output_schema")
	c.Tools = readTools(rt, servers, c.AllowShell, bad)
	c.checkProvider(bad)
	return c, ps
}

func (c *config) checkProvider(bad func([]string, string, string)) {
	if c.Provider == "" {
		c.Provider = guessProvider(c.Model)
	}
	switch {
	case c.Provider == "":
		bad([]string{"runtime", "provider"}, "missing: which provider runs the model",
			"set runtime.provider to one of "+strings.Join(Providers(), ", "))
	case !knownProvider(c.Provider):
		bad([]string{"runtime", "provider"}, fmt.Sprintf("unknown provider %q", c.Provider),
			"known providers: "+strings.Join(Providers(), ", ")+"; any OpenAI-compatible server works as provider: openai with runtime.base_url")
	}
	if c.Model == "" {
		bad([]string{"runtime", "model"}, "missing: which model to call", "set runtime.model, e.g. claude-sonnet-4-5 or gpt-4o")
	}
}

// ProviderOf names the provider of a well-known model family (claude-…,
// gpt-…), or "" when the name does not say.
func ProviderOf(model string) string { return guessProvider(model) }

// guessProvider names the provider of a well-known model family, for
// nodes that give a model and no provider.
func guessProvider(model string) string {
	m := strings.ToLower(model)
	switch {
	case strings.HasPrefix(m, "claude"):
		return "anthropic"
	case strings.HasPrefix(m, "gpt-"), strings.HasPrefix(m, "o1"), strings.HasPrefix(m, "o3"), strings.HasPrefix(m, "o4"):
		return "openai"
	}
	return ""
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

func positive(rt map[string]any, key string, def int64, bad func([]string, string, string)) int64 {
	v, path := field(rt, key)
	if v == nil {
		return def
	}
	f, ok := number(v)
	if !ok || f < 1 || f != float64(int64(f)) {
		bad(path, fmt.Sprintf("%v is not a positive whole number", v), "")
		return def
	}
	return int64(f)
}

// readTools reads runtime.tools: names, or maps with a name (as some of
// the corpus writes them). Each must be a built-in or a tool of a
// declared MCP server (SERVER.TOOL, or SERVER.* for all of its tools).
func readTools(rt map[string]any, servers map[string]any, allowShell bool, bad func([]string, string, string)) []string {
	v, path := field(rt, "tools")
	list, ok := v.([]any)
	if v != nil && !ok {
		bad(path, "must be a list of tool names", "")
	}
	var out []string
	for i, t := range list {
		name, _ := t.(string)
		if m, ok := t.(map[string]any); ok {
			name, _ = m["name"].(string)
		}
		at := append(append([]string{}, path...), fmt.Sprint(i))
		if err := checkTool(name, servers, allowShell); err != nil {
			bad(at, err.Error(), toolHelp(servers))
			continue
		}
		out = append(out, name)
	}
	return out
}

func checkTool(name string, servers map[string]any, allowShell bool) error {
	if name == "" {
		return fmt.Errorf("a tool needs a name")
	}
	if name == "shell" && !allowShell {
		return fmt.Errorf("shell is a tool only where the node says allow_shell: true")
	}
	if _, ok := builtins[name]; ok {
		return nil
	}
	server, _, _ := strings.Cut(name, ".")
	if _, ok := servers[server]; ok {
		return nil
	}
	return fmt.Errorf("unknown tool %q", name)
}

func toolHelp(servers map[string]any) string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	h := "built-in tools: " + strings.Join(names, ", ") + "; an MCP server's tools are SERVER.TOOL or SERVER.*"
	if s := mcp.Names(servers); len(s) > 0 {
		h += " (declared servers: " + strings.Join(s, ", ") + ")"
	} else {
		h += ", with the server declared under the workflow's mcp_servers"
	}
	return h
}
