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

// Defaults are a run's defaults for agent nodes: osop run --model and
// --provider, and whether the run only plans.
type Defaults struct {
	// Model and Provider are what a node that names no model calls.
	Model, Provider string
	// Planning is set for a run that calls no model (a dry run, a
	// simulation): a node without a model is a note there, not an error,
	// since nothing needs one until it really runs.
	Planning bool
}

// provider is the default model's provider: --provider, else the one its
// name implies.
func (d Defaults) provider() string {
	if d.Provider != "" {
		return strings.ToLower(d.Provider)
	}
	return guessProvider(d.Model)
}

// NeedsModel is the summary of the problem of a node that names no model
// in a run that gives none.
const NeedsModel = "needs a model: pass --model M or set runtime.model"

// NeedsProvider is the summary of the problem of a node whose model names
// no provider, in a run that gives none.
const NeedsProvider = "needs a provider: pass --provider P or set runtime.provider"

// readConfig reads the runtime; problems are what Check reports.
func readConfig(rt map[string]any, servers map[string]any, d Defaults) (config, []executor.Problem) {
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
	if c.Model == "" && !c.useDefault(d, bad) {
		return c, ps // the run's model is not one of the node's provider
	}
	if c.Model == "" {
		c.needsModel(d, func(sev diag.Severity, path []string, summary, detail string) {
			ps = append(ps, executor.Problem{Path: path, Severity: sev, Summary: summary, Detail: detail})
		})
		return c, ps
	}
	if c.Provider == "" && guessProvider(c.Model) == "" && d.Provider != "" {
		c.Provider = strings.ToLower(d.Provider) // a model the run's --provider serves
	}
	if c.Provider == "" && guessProvider(c.Model) == "" && d.Planning {
		ps = append(ps, executor.Problem{Path: []string{"runtime", "provider"}, Severity: diag.Info, Summary: NeedsProvider,
			Detail: "this run calls no model; a real run needs the provider of " + c.Model + ": one of " + strings.Join(Providers(), ", ")})
		return c, ps
	}
	c.checkProvider(bad)
	return c, ps
}

// useDefault gives a node that names no model the run's: with the node's
// provider when it names one, which must then be the model's.
// It reports false when the two disagree.
func (c *config) useDefault(d Defaults, bad func([]string, string, string)) bool {
	if d.Model == "" {
		return true
	}
	dp := d.provider()
	if c.Provider != "" && dp != "" && canonical(c.Provider) != canonical(dp) {
		bad([]string{"runtime", "provider"}, fmt.Sprintf("is %q, and the run's --model %s is for %s", c.Provider, d.Model, dp),
			"set runtime.model to a model of "+c.Provider+" for this node, or pass --provider "+c.Provider+" with a model it serves")
		return false
	}
	c.Model = d.Model
	if c.Provider == "" {
		c.Provider = dp
	}
	return true
}

// needsModel reports a node that names no model in a run that gives
// none: an error for a real run, a note for one that calls no model. An
// unknown provider stays an error either way: no model makes it run.
func (c *config) needsModel(d Defaults, report func(diag.Severity, []string, string, string)) {
	if c.Provider != "" && !knownProvider(c.Provider) {
		report(diag.Error, []string{"runtime", "provider"}, fmt.Sprintf("unknown provider %q", c.Provider),
			"known providers: "+strings.Join(Providers(), ", ")+"; any OpenAI-compatible server works as provider: openai with runtime.base_url")
	}
	sev, detail := diag.Error, "nothing runs until every agent node has a model: osop run --model claude-sonnet-4-5 (or gpt-4o, or a local model with --provider ollama) gives one to every node that names none"
	if d.Planning {
		sev, detail = diag.Info, "this run calls no model; a real run needs one: osop run --model M (with --provider P unless M is a claude-… or gpt-… model), or runtime.model in the file"
	}
	report(sev, []string{"runtime", "model"}, NeedsModel, detail)
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
