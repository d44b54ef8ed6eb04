package engine

import (
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// missingValues is the error for references nothing gave a value, saying
// for each the flag that gives it: --input for ${inputs.x}, --secret for
// ${secrets.X}, --var for the rest. The node's id is not repeated: the
// caller names the node.
func missingValues(refs []template.Ref) error {
	var texts []string
	flags := map[string][]string{}
	var order []string
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r.Text] {
			continue // the same reference twice in one field is one missing value
		}
		seen[r.Text] = true
		texts = append(texts, r.Text)
		flag := "--var"
		switch r.Namespace {
		case "inputs":
			flag = "--input"
		case "secrets":
			flag = "--secret"
		case "env":
			flag = "env"
		}
		if _, seen := flags[flag]; !seen {
			order = append(order, flag)
		}
		flags[flag] = append(flags[flag], r.Head())
	}
	var hints []string
	for _, flag := range order {
		names := flags[flag]
		if flag == "env" {
			hints = append(hints, "set "+strings.Join(names, " and ")+" in the environment or the workflow's env")
			continue
		}
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = flag + " " + n + "=…"
		}
		h := "pass " + strings.Join(parts, " and ")
		if flag == "--var" {
			h += ", or make an earlier node output " + map[bool]string{true: "it", false: "them"}[len(names) == 1]
		}
		hints = append(hints, h)
	}
	return executor.Errorf(run.CodeConfig, false, "nothing gives a value for %s (%s)", strings.Join(texts, ", "), strings.Join(hints, "; "))
}
