package cli

import (
	"bufio"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/validate"
)

// refuseMissing refuses a run, before anything starts, that has no value
// for a ${secrets.X} or ${inputs.x} its nodes use, or for a name a
// condition reads that nothing in the workflow gives: each would fail
// its node, or decide a branch wrongly, only once the run got there.
// A person at the terminal is asked for the names first.
func refuseMissing(opts *RunOptions, p *prepared, inputs map[string]any, secrets map[string]string) error {
	given := map[string]bool{}
	for k := range secrets {
		given[k] = true
	}
	vars, _ := keyValues("--var", opts.Vars)
	varNames := slices.Sorted(maps.Keys(vars))
	if err := askImplied(opts, p, varNames, inputs); err != nil {
		return err
	}
	ds, names := validate.Missing(p.doc, validate.RunValues{Inputs: inputs, Secrets: given, Env: environ()})
	if !opts.DryRun { // a plan evaluates no condition
		ds = append(ds, validate.ImpliedMissing(p.doc, varNames, inputs)...)
		for _, im := range validate.ImpliedNames(p.w, varNames) {
			if _, ok := inputs[im.Name]; !ok && !slices.Contains(names, im.Name) {
				names = append(names, im.Name)
			}
		}
	}
	ds.Sort()
	if len(ds) == 0 {
		return nil
	}
	printDiags(opts.IO, p.doc, ds)
	return exitf(ExitUsage, "%s needs %s this run does not have (%s); nothing was run", opts.File, plural(len(names), "value"), strings.Join(names, ", "))
}

// askImplied asks a person at the terminal for each name the workflow's
// conditions read that nothing gives and --input did not.
func askImplied(opts *RunOptions, p *prepared, vars []string, inputs map[string]any) error {
	if !opts.IO.InTTY || !opts.IO.ErrTTY || opts.DryRun {
		return nil
	}
	var in *bufio.Reader
	for _, im := range validate.ImpliedNames(p.w, vars) {
		if _, ok := inputs[im.Name]; ok {
			continue
		}
		if in == nil {
			in = bufio.NewReader(opts.IO.In)
		}
		u := im.Uses[0]
		for {
			fmt.Fprintf(opts.IO.ErrOut, "%s (read by the condition of %s → %s, line %d; nothing in the workflow gives it): ",
				im.Name, u.Edge.From.V, u.Edge.To.V, u.Value.Range.Start.Line)
			line, err := in.ReadString('\n')
			line = strings.TrimRight(line, "\r\n")
			if err != nil && line == "" {
				return exitf(ExitUsage, "no value for %s: pass --input %s=…", im.Name, im.Name)
			}
			v := impliedValue(line)
			if msg := impliedMismatch(im, v, "give"); msg != "" {
				fmt.Fprintf(opts.IO.ErrOut, "  %s\n", msg) // and ask again
				continue
			}
			inputs[im.Name] = v
			break
		}
	}
	return nil
}
