package cli

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/store"
	"github.com/osopdev/osop/internal/template"
)

// runSecrets are a run's secrets: their values, never stored, and where
// each came from, which is stored so that resume reads it there again.
type runSecrets struct {
	values  map[string]string
	sources map[string]store.SecretSource
}

func newRunSecrets() *runSecrets {
	return &runSecrets{values: map[string]string{}, sources: map[string]store.SecretSource{}}
}

func (s *runSecrets) set(src store.SecretSource, value string) {
	s.values[src.Name] = value
	s.sources[src.Name] = src
}

// readSecrets reads a secrets file and --secret flags; a flag wins over
// the file.
func readSecrets(flags []string, file string) (*runSecrets, error) {
	s := newRunSecrets()
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		vals, err := readSecretsFile(file)
		if err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		for k, v := range vals {
			s.set(store.SecretSource{Name: k, From: store.FromFile, Path: abs}, v)
		}
	}
	given, err := keyValues("--secret", flags)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	for k, v := range given {
		s.set(store.SecretSource{Name: k, From: store.FromFlag}, v)
	}
	return s, s.check()
}

// check refuses, before anything runs, a secret too short to be masked.
// The message names the secret, never its value.
func (s *runSecrets) check() error {
	for _, k := range slices.Sorted(maps.Keys(s.values)) {
		if err := secret.Check(s.values[k]); err != nil {
			return exitf(ExitUsage, "secret %s (%s) is %v", k, describeSource(s.sources[k]), err)
		}
	}
	return nil
}

func describeSource(src store.SecretSource) string {
	switch src.From {
	case store.FromFile:
		return "from the secrets file " + src.Path
	case store.FromEnv:
		return "from the environment"
	}
	return "given with --secret"
}

// addEnv adds the secrets a workflow whose secrets provider is env reads
// from the environment: those its ${secrets.X} references name and no
// flag or file gave. They are masked from the start and recorded as
// coming from the environment.
func (s *runSecrets) addEnv(doc *ast.Document, env map[string]string) error {
	if !envProvider(doc.Workflow) {
		return nil
	}
	for _, name := range secretRefs(doc.Root) {
		if _, ok := s.values[name]; ok {
			continue
		}
		if v, ok := env[name]; ok {
			s.set(store.SecretSource{Name: name, From: store.FromEnv}, v)
		}
	}
	return s.check()
}

// envProvider reports whether the workflow's secrets come from the
// environment (security.secrets.provider: env, or secrets_provider: env),
// as the engine reads them.
func envProvider(w *ast.Workflow) bool {
	if w == nil {
		return false
	}
	if p, _ := w.Security.Get("secrets_provider").String(); p == "env" {
		return true
	}
	p, _ := w.Security.Get("secrets").Get("provider").String()
	return p == "env"
}

// secretRefs returns the names ${secrets.X} references in the document
// give, sorted.
func secretRefs(root *ast.Value) []string {
	seen := map[string]bool{}
	var walk func(v *ast.Value)
	walk = func(v *ast.Value) {
		if v == nil {
			return
		}
		if s, ok := v.String(); ok && template.HasRefs(s) {
			for _, r := range template.Scan(s) {
				if r.Namespace == "secrets" && r.Head() != "" {
					seen[r.Head()] = true
				}
			}
		}
		for _, it := range v.Items {
			walk(it)
		}
		for _, f := range v.Fields {
			walk(f.Value)
		}
	}
	walk(root)
	return slices.Sorted(maps.Keys(seen))
}

// list returns the sources, sorted by name, for the store.
func (s *runSecrets) list() []store.SecretSource {
	out := make([]store.SecretSource, 0, len(s.sources))
	for _, k := range slices.Sorted(maps.Keys(s.sources)) {
		out = append(out, s.sources[k])
	}
	return out
}

func (s *runSecrets) masker() *secret.Masker {
	return maskerOf(s.values)
}

// recordedSources returns where a stored run's secrets came from; runs
// recorded before sources were had only names, all given with --secret.
func recordedSources(p store.Params) []store.SecretSource {
	if len(p.Secrets) > 0 {
		return p.Secrets
	}
	out := make([]store.SecretSource, 0, len(p.SecretNames))
	for _, n := range p.SecretNames {
		out = append(out, store.SecretSource{Name: n, From: store.FromFlag})
	}
	return out
}

// rereadSecrets reads a stored run's secrets again for resume: those the
// resume's own --secret and --secrets-file give, then each other one from
// where it came from: the same secrets file, the environment; one given
// with --secret must be given again. It refuses, naming them all, when
// any cannot be read.
func rereadSecrets(id string, p store.Params, flags []string, file string, env map[string]string) (*runSecrets, error) {
	s, err := readSecrets(flags, file)
	if err != nil {
		return nil, err
	}
	files := map[string]map[string]string{}
	var missing []string
	for _, src := range recordedSources(p) {
		if _, ok := s.values[src.Name]; ok {
			continue
		}
		v, why := reread(src, env, files)
		if why != "" {
			missing = append(missing, src.Name+" ("+why+")")
			continue
		}
		s.set(src, v)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, exitf(ExitUsage, "run %s used secrets that are never stored, and these cannot be read again: %s; pass them with --secret NAME=… or --secrets-file FILE",
			id, strings.Join(missing, ", "))
	}
	return s, s.check()
}

// reread reads one secret where it came from; why says what is wrong
// when it cannot.
func reread(src store.SecretSource, env map[string]string, files map[string]map[string]string) (value, why string) {
	switch src.From {
	case store.FromEnv:
		if v, ok := env[src.Name]; ok {
			return v, ""
		}
		return "", "it came from the environment, where it is not set now"
	case store.FromFile:
		vals, ok := files[src.Path]
		if !ok {
			var err error
			if vals, err = readSecretsFile(src.Path); err != nil {
				return "", fmt.Sprintf("it came from %s: %v", src.Path, err)
			}
			files[src.Path] = vals
		}
		if v, ok := vals[src.Name]; ok {
			return v, ""
		}
		return "", fmt.Sprintf("it came from %s, which no longer has it", src.Path)
	}
	return "", "it was given with --secret"
}

// maskedError hides secrets in an error's message: errors quote values,
// and a --set or --input value may be a secret.
type maskedError struct {
	err error
	m   *secret.Masker
}

func (e maskedError) Error() string { return e.m.Mask(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }

func maskErr(err error, m *secret.Masker) error {
	if err == nil || m.Empty() {
		return err
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err == nil {
			return err
		}
		return &ExitError{Code: ee.Code, Err: maskedError{ee.Err, m}}
	}
	return maskedError{err, m}
}

// maskedStreams returns io with its error stream masked, for what is
// printed before the run (diagnostics quote values); flush when done.
func maskedStreams(io *IOStreams, m *secret.Masker) (masked *IOStreams, flush func()) {
	if m.Empty() {
		return io, func() {}
	}
	cp := *io
	w := secret.NewWriter(m, io.ErrOut)
	cp.ErrOut = w
	return &cp, func() { _ = w.Flush() } // a failed write to stderr has nowhere to be reported
}
