package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/template"
)

// RunValues are the values a run will have, for [Missing].
type RunValues struct {
	// Inputs are the workflow inputs, defaults applied.
	Inputs map[string]any
	// Secrets are the names given with --secret and --secrets-file.
	Secrets map[string]bool
	// Env is the environment, which secrets fall back to when the
	// workflow's security.secrets.provider is env.
	Env map[string]string
}

// Missing reports every ${secrets.X} and ${inputs.x} in the nodes that a
// run with these values has nothing for, and that gives no :-default:
// each would fail its node once the run got there, so osop run refuses
// the run before anything starts. Each reference is reported once, where
// it is written, with the flag that gives it. names are the values
// missing, each once (${secrets.X}), in the order first met.
func Missing(doc *ast.Document, v RunValues) (ds diag.Diagnostics, names []string) {
	w := doc.Workflow
	if w == nil {
		return nil, nil
	}
	c := &checker{w: w, src: strings.Split(string(doc.Source), "\n")}
	envSecrets := secretsFromEnv(w)
	for _, n := range w.Nodes {
		for _, val := range []*ast.Value{n.Runtime, n.WorkflowInputs} {
			eachString(val, func(s *ast.Value) {
				for _, r := range template.Scan(s.Str) {
					if r.HasDefault {
						continue
					}
					name, seen := r.Head(), len(c.ds)
					switch r.Namespace {
					case "secrets":
						if v.Secrets[name] {
							continue
						}
						if _, ok := v.Env[name]; ok && envSecrets {
							continue
						}
						detail := fmt.Sprintf("pass --secret %s=…, or put %s=… in a --secrets-file", name, name)
						if envSecrets {
							detail += fmt.Sprintf(", or set %s in the environment", name)
						}
						c.add(diag.Error, "missing-secret", c.offsetIn(s, r.Offset, r.Text), detail,
							"node %q needs %s, and this run has no such secret", n.ID.V, r.Text)
					case "inputs":
						if _, ok := v.Inputs[name]; ok {
							continue
						}
						c.add(diag.Error, "missing-input", c.offsetIn(s, r.Offset, r.Text),
							fmt.Sprintf("pass --input %s=…, declare it with a default, or write ${inputs.%s:-DEFAULT}", name, name),
							"node %q needs %s, and this run has no such input", n.ID.V, r.Text)
					}
					if ref := "${" + r.Namespace + "." + name + "}"; len(c.ds) > seen && !slices.Contains(names, ref) {
						names = append(names, ref)
					}
				}
			})
		}
	}
	c.ds.Sort()
	return c.ds, names
}

// secretsFromEnv reports whether the workflow's secrets come from the
// environment (security.secrets_provider or security.secrets.provider).
func secretsFromEnv(w *ast.Workflow) bool {
	if p, _ := w.Security.Get("secrets_provider").String(); p == "env" {
		return true
	}
	p, _ := w.Security.Get("secrets").Get("provider").String()
	return p == "env"
}
