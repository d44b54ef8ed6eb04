package cli

import (
	"fmt"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/render"
	"github.com/osopdev/osop/internal/template"
)

// runbookActions describes what each node runs exactly as a dry run does
// (engine.Plan, through each executor's own description), for the story
// and the agent instructions: a runbook and a run cannot disagree. What
// only a run knows is a placeholder, as in a dry run: <RUN_ID>, <GIT_SHA>,
// the outputs of earlier nodes; inputs without a default, secrets (shown
// masked) and environment variables are named in their place, so a
// runbook never holds this machine's values.
func runbookActions(reg *executor.Registry, w *ast.Workflow, workdir string) (render.Actions, error) {
	eopts := engine.Options{
		Workflow: w, Registry: reg, RunID: "<RUN_ID>", Workdir: workdir,
		Builtins: map[string]string{"WORKFLOW_ID": w.ID.V},
		Inputs:   map[string]any{}, Secrets: map[string]string{}, Env: map[string]string{},
	}
	for _, p := range w.Inputs {
		if p.Default != nil {
			eopts.Inputs[p.Name] = p.Default.Interface()
		}
	}
	for _, r := range workflowRefs(w) {
		key := "<" + r.Namespace + "." + r.Head() + ">"
		switch r.Namespace {
		case "inputs":
			if _, ok := eopts.Inputs[r.Head()]; !ok {
				eopts.Inputs[r.Head()] = key
			}
		case "secrets":
			eopts.Secrets[r.Head()] = key
		case "env":
			eopts.Env[r.Head()] = key
		}
	}
	steps, err := engine.Plan(eopts)
	if err != nil {
		return nil, fmt.Errorf("describe the steps: %w", err)
	}
	acts := render.Actions{}
	for _, s := range steps {
		if ex, ok := reg.New(s.Type); !ok || !describes(ex) {
			continue // a gateway, say: it runs nothing to show
		}
		acts[s.Node] = render.Action{Text: s.Action, Err: s.Err}
	}
	return acts, nil
}

func describes(ex executor.Executor) bool {
	_, ok := ex.(executor.Describer)
	return ok
}

// workflowRefs lists the template references in the nodes' runtime maps.
func workflowRefs(w *ast.Workflow) []template.Ref {
	var refs []template.Ref
	var walk func(v *ast.Value)
	walk = func(v *ast.Value) {
		switch {
		case v == nil:
		case v.Kind == ast.String:
			refs = append(refs, template.Scan(v.Str)...)
		case v.Kind == ast.List:
			for _, it := range v.Items {
				walk(it)
			}
		case v.Kind == ast.Map:
			for _, f := range v.Fields {
				walk(f.Value)
			}
		}
	}
	for _, n := range w.Nodes {
		walk(n.Runtime)
	}
	return refs
}
