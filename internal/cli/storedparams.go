package cli

import (
	"maps"
	"slices"
	"strconv"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/store"
)

// redactParams returns how a run was started as the store keeps it, with
// no secret value in it. The secrets are recorded by name and source. A
// --var, --input, --set or built-in value that holds a secret is kept
// masked, and in Redacted as the text around the secret and its name:
// resume puts it together again with the secret as it reads it then
// (restoredSets, restoredValues). given are the --input values as typed.
func redactParams(p store.Params, given map[string]string, s *runSecrets) store.Params {
	m := s.masker()
	out := p
	out.Secrets = s.list()
	out.SecretNames = slices.Sorted(maps.Keys(s.values))
	out.Redacted = nil
	keep := func(kind, key, v string) string {
		segs := secret.Split(v, s.values)
		if !secret.HasSecret(segs) {
			return v
		}
		r := store.Redacted{Kind: kind, Key: key}
		for _, sg := range segs {
			r.Parts = append(r.Parts, store.Part{Text: sg.Text, Secret: sg.Name, Line: sg.Line})
		}
		out.Redacted = append(out.Redacted, r)
		return m.Mask(v)
	}
	redactMap := func(kind string, in map[string]string) map[string]string {
		if in == nil {
			return nil
		}
		res := make(map[string]string, len(in))
		for _, k := range slices.Sorted(maps.Keys(in)) {
			res[k] = keep(kind, k, in[k])
		}
		return res
	}
	out.Vars = redactMap(store.RedactedVar, p.Vars)
	out.Builtins = redactMap(store.RedactedBuiltin, p.Builtins)
	out.Sets = nil
	for i, set := range p.Sets {
		out.Sets = append(out.Sets, keep(store.RedactedSet, strconv.Itoa(i), set))
	}
	if p.Inputs != nil {
		out.Inputs = make(map[string]any, len(p.Inputs))
		for _, k := range slices.Sorted(maps.Keys(p.Inputs)) {
			raw, ok := given[k]
			if !ok {
				raw, ok = p.Inputs[k].(string) // a default from the file
			}
			if ok && secret.HasSecret(secret.Split(raw, s.values)) {
				out.Inputs[k] = keep(store.RedactedInput, k, raw)
				continue
			}
			out.Inputs[k] = m.Any(p.Inputs[k])
		}
	}
	return out
}

// joinRedacted puts one redacted value together again.
func joinRedacted(r store.Redacted, secrets map[string]string) (string, error) {
	segs := make([]secret.Segment, len(r.Parts))
	for i, p := range r.Parts {
		segs[i] = secret.Segment{Text: p.Text, Name: p.Secret, Line: p.Line}
	}
	return secret.Join(segs, secrets)
}

// restoredSets returns a stored run's --set overrides, with the secrets
// they held put back; resume needs them before it can load the workflow.
func restoredSets(p store.Params, secrets map[string]string) ([]string, error) {
	sets := slices.Clone(p.Sets)
	for _, r := range p.Redacted {
		if r.Kind != store.RedactedSet {
			continue
		}
		i, err := strconv.Atoi(r.Key)
		if err != nil || i < 0 || i >= len(sets) {
			return nil, exitf(ExitUsage, "stored --set %q: no such override", r.Key)
		}
		if sets[i], err = joinRedacted(r, secrets); err != nil {
			return nil, exitf(ExitUsage, "stored --set %d: %v", i+1, err)
		}
	}
	return sets, nil
}

// restoredValues returns a stored run's variables, inputs and built-ins
// with the secrets they held put back; an input goes through its declared
// type again, as when the run started.
func restoredValues(p store.Params, w *ast.Workflow, secrets map[string]string) (vars map[string]string, inputs map[string]any, builtins map[string]string, err error) {
	vars, builtins = maps.Clone(p.Vars), maps.Clone(p.Builtins)
	inputs = maps.Clone(p.Inputs)
	if inputs == nil {
		inputs = map[string]any{}
	}
	declared := map[string]*ast.Param{}
	for _, d := range w.Inputs {
		declared[d.Name] = d
	}
	for _, r := range p.Redacted {
		v, err := joinRedacted(r, secrets)
		if err != nil {
			return nil, nil, nil, exitf(ExitUsage, "stored %s %s: %v", r.Kind, r.Key, err)
		}
		switch r.Kind {
		case store.RedactedVar:
			vars[r.Key] = v
		case store.RedactedBuiltin:
			builtins[r.Key] = v
		case store.RedactedInput:
			inputs[r.Key] = v
			if d, ok := declared[r.Key]; ok {
				if inputs[r.Key], err = convertInput(d, v); err != nil {
					return nil, nil, nil, &ExitError{Code: ExitUsage, Err: err}
				}
			}
		}
	}
	return vars, inputs, builtins, nil
}
