package agent

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/executor/agent/anthropic"
	"github.com/osopdev/osop/internal/executor/agent/llm"
	"github.com/osopdev/osop/internal/executor/agent/openai"
)

// provider is how osop reaches one kind of provider. Every one but
// anthropic speaks OpenAI's Chat Completions API.
type provider struct {
	anthropic bool
	compat    bool   // an OpenAI-compatible server rather than OpenAI itself
	url       string // the default address
	urlEnv    string // where its users set the address
	keyEnv    string // where its users set the key, when it is not OPENAI_API_KEY
	keyHeader string // a header for the key, instead of Authorization: Bearer
	local     bool   // runs on the user's machine: free
}

var providers = map[string]provider{
	"anthropic": {anthropic: true},
	"openai":    {},
	"ollama":    {compat: true, url: "http://127.0.0.1:11434", urlEnv: "OLLAMA_HOST", local: true},
	"vllm":      {compat: true, url: "http://127.0.0.1:8000/v1", local: true},
	"llamacpp":  {compat: true, url: "http://127.0.0.1:8080/v1", local: true},
	"lmstudio":  {compat: true, url: "http://127.0.0.1:1234/v1", local: true},
	"litellm":   {compat: true, url: "http://127.0.0.1:4000/v1", keyEnv: "LITELLM_API_KEY"},
	"azure":     {compat: true, urlEnv: "AZURE_OPENAI_ENDPOINT", keyEnv: "AZURE_OPENAI_API_KEY", keyHeader: "api-key"},
	"google":    {compat: true, url: "https://generativelanguage.googleapis.com/v1beta/openai/", keyEnv: "GEMINI_API_KEY"},
}

// Providers lists the provider names osop knows, sorted.
func Providers() []string {
	out := make([]string, 0, len(providers))
	for k := range providers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func knownProvider(name string) bool {
	_, ok := providers[canonical(name)]
	return ok
}

func canonical(name string) string {
	switch n := strings.ToLower(name); n {
	case "llama.cpp", "llama-cpp", "llama_cpp":
		return "llamacpp"
	case "azure_openai", "azure-openai":
		return "azure"
	case "gemini":
		return "google"
	default:
		return n
	}
}

// client builds the SDK client for a node. The SDKs read their own
// variables (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OPENAI_API_KEY,
// OPENAI_BASE_URL) from the environment; what the node gives, and the
// addresses of the other providers, are passed explicitly.
func client(c config, env func(string) string, hc *http.Client) llm.Provider {
	p := providers[canonical(c.Provider)]
	if p.anthropic {
		return anthropic.New(anthropic.Options{BaseURL: c.BaseURL, APIKey: c.APIKey, MaxRetries: c.MaxRetries, HTTPClient: hc})
	}
	o := openai.Options{Name: canonical(c.Provider), BaseURL: c.BaseURL, APIKey: c.APIKey, MaxRetries: c.MaxRetries,
		HTTPClient: hc, Compatible: p.compat}
	if o.BaseURL == "" && p.urlEnv != "" {
		o.BaseURL = env(p.urlEnv)
	}
	if o.BaseURL == "" {
		o.BaseURL = p.url
	}
	if canonical(c.Provider) == "ollama" {
		o.BaseURL = ollamaURL(o.BaseURL)
	}
	if canonical(c.Provider) == "azure" && o.BaseURL != "" && !strings.Contains(o.BaseURL, "/openai/") {
		o.BaseURL = strings.TrimRight(o.BaseURL, "/") + "/openai/v1/"
	}
	if o.APIKey == "" && p.keyEnv != "" {
		o.APIKey = env(p.keyEnv)
	}
	if o.APIKey == "" && p.compat {
		// The SDK wants some key; local servers ignore it.
		o.APIKey = "osop"
	}
	if p.keyHeader != "" {
		o.Headers = map[string]string{p.keyHeader: o.APIKey}
	}
	return openai.New(o)
}

// ollamaURL turns OLLAMA_HOST's forms (host:port, http://host:port) into
// the address of Ollama's OpenAI-compatible API.
func ollamaURL(host string) string {
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	host = strings.TrimRight(host, "/")
	if u, err := url.Parse(host); err == nil && u.Port() == "" && (u.Path == "" || u.Path == "/v1") && u.Scheme == "http" {
		// Ollama's clients take a host without a port to mean its port.
		u.Host += ":11434"
		host = u.String()
	}
	if !strings.HasSuffix(host, "/v1") {
		host += "/v1"
	}
	return host
}
