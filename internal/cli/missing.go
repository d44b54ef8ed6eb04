package cli

import (
	"strings"

	"github.com/osopdev/osop/internal/validate"
)

// refuseMissing refuses a run, before anything starts, that has no value
// for a ${secrets.X} or ${inputs.x} its nodes use: each would fail its
// node only once the run got there.
func refuseMissing(opts *RunOptions, p *prepared, inputs map[string]any, secrets map[string]string) error {
	given := map[string]bool{}
	for k := range secrets {
		given[k] = true
	}
	ds, names := validate.Missing(p.doc, validate.RunValues{Inputs: inputs, Secrets: given, Env: environ()})
	if len(ds) == 0 {
		return nil
	}
	printDiags(opts.IO, p.doc, ds)
	return exitf(ExitUsage, "%s needs %s this run does not have (%s); nothing was run", opts.File, plural(len(names), "value"), strings.Join(names, ", "))
}
