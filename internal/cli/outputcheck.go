package cli

import (
	"fmt"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/store"
	"github.com/osopdev/osop/internal/validate"
)

// checkGivenOutputs checks the values given for node's declared outputs
// (osop complete, osop approve, their MCP tools) against the types and
// enums the run's workflow declares, before anything is recorded. arg
// says how a value is passed, for the hint. A workflow that can no longer
// be read leaves the check to the step itself, which fails on a bad value.
func checkGivenOutputs(r *store.Run, lim parse.Limits, node string, given map[string]string, arg func(string) string) error {
	if len(given) == 0 {
		return nil
	}
	w, err := runWorkflow(r, lim)
	if err != nil {
		return nil
	}
	n := w.Node(node)
	if n == nil {
		return nil
	}
	for _, s := range engine.OutputSpecs(n) {
		v, ok := given[s.Name]
		if !ok {
			continue
		}
		if _, err := s.Check(v); err != nil {
			return exitf(ExitUsage, "step %q: %v: pass %s, %s (nothing recorded)", node, err, arg(s.Name), s.Want())
		}
	}
	return nil
}

// didYouMean is "; did you mean "x"?" for the candidate nearest word, or "".
func didYouMean(word string, candidates []string) string {
	if near, ok := validate.Closest(word, candidates); ok {
		return fmt.Sprintf("; did you mean %q?", near)
	}
	return ""
}
