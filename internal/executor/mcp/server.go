package mcp

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/google/shlex"
)

// Server says how to reach an MCP server: a command spoken to over
// stdio, or a URL for streamable HTTP.
type Server struct {
	Name    string // the mcp_servers name, when it has one
	Command []string
	URL     string
	Env     map[string]string
	Headers map[string]string
}

func (s Server) String() string {
	if s.URL != "" {
		return s.URL
	}
	return strings.Join(s.Command, " ")
}

// Resolve reads a server reference: the name of a server the workflow
// declares under mcp_servers, an http(s):// URL, a command line (a string,
// split like a shell, or a list), or a map with command or url, env and
// headers. expand fills templates in each string; nil leaves them.
func Resolve(ref any, declared map[string]any, expand func(string) (string, error)) (Server, error) {
	if expand == nil {
		expand = func(s string) (string, error) { return s, nil }
	}
	if name, ok := ref.(string); ok {
		if d, ok := declared[name]; ok {
			s, err := fromValue(d, expand)
			s.Name = name
			return s, err
		}
	}
	return fromValue(ref, expand)
}

func fromValue(v any, expand func(string) (string, error)) (Server, error) {
	switch x := v.(type) {
	case string:
		return fromString(x, expand)
	case []any:
		argv, err := strings_(x, expand)
		return Server{Command: argv}, err
	case map[string]any:
		return fromMap(x, expand)
	case nil:
		return Server{}, fmt.Errorf("no server given: set runtime.server to a command, an http(s):// URL or a name under mcp_servers")
	}
	return Server{}, fmt.Errorf("server is %T; want a command, a URL, a declared name or a map", v)
}

func fromString(s string, expand func(string) (string, error)) (Server, error) {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := expand(s)
		return Server{URL: u}, err
	}
	parts, err := shlex.Split(s)
	if err != nil || len(parts) == 0 {
		return Server{}, fmt.Errorf("server %q: not a command line", s)
	}
	for i, p := range parts {
		// Each word is expanded on its own, so a value cannot add words.
		if parts[i], err = expand(p); err != nil {
			return Server{}, err
		}
	}
	return Server{Command: parts}, nil
}

func fromMap(m map[string]any, expand func(string) (string, error)) (Server, error) {
	var s Server
	var err error
	switch c := m["command"].(type) {
	case string:
		if s, err = fromString(c, expand); err != nil {
			return s, err
		}
	case []any:
		if s.Command, err = strings_(c, expand); err != nil {
			return s, err
		}
	}
	if u, ok := m["url"].(string); ok {
		if s.URL, err = expand(u); err != nil {
			return s, err
		}
	}
	if (s.URL == "") == (len(s.Command) == 0) {
		return s, fmt.Errorf("a server needs exactly one of command or url")
	}
	if s.Env, err = stringMap(m["env"], expand); err != nil {
		return s, err
	}
	s.Headers, err = stringMap(m["headers"], expand)
	return s, err
}

func strings_(xs []any, expand func(string) (string, error)) ([]string, error) {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("command word %v is not a string", x)
		}
		s, err := expand(s)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the command is empty")
	}
	return out, nil
}

func stringMap(v any, expand func(string) (string, error)) (map[string]string, error) {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		s, err := expand(fmt.Sprint(x))
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}

// Names returns the declared server names, sorted.
func Names(declared map[string]any) []string {
	out := make([]string, 0, len(declared))
	for k := range declared {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CheckRef reports what is wrong with a server reference before anything
// runs: no server, a bad declaration, or a command that is not on PATH.
func CheckRef(ref any, declared map[string]any) error {
	s, err := Resolve(ref, declared, nil)
	if err != nil {
		return err
	}
	if len(s.Command) > 0 && !strings.Contains(s.Command[0], "{{") && !strings.Contains(s.Command[0], "${") {
		if _, err := exec.LookPath(s.Command[0]); err != nil {
			hint := ""
			if names := Names(declared); len(names) > 0 {
				hint = "; declared servers: " + strings.Join(names, ", ")
			}
			return fmt.Errorf("%q is not a server declared under mcp_servers, an http(s):// URL, or a command on PATH%s", s.Command[0], hint)
		}
	}
	return nil
}
