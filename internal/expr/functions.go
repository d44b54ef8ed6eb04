package expr

import (
	"sort"
	"strings"
)

// Functions returns the names of the functions and macros a CEL
// expression may call (size, has, exists, status, attempt, …), sorted:
// what editors offer while a condition is typed. Operators and the hidden
// variables' internals are left out.
func Functions() []string {
	env, err := base()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	for name := range env.Functions() {
		if isUserFunction(name) {
			seen[name] = true
		}
	}
	for _, m := range env.Macros() {
		if isUserFunction(m.Function()) {
			seen[m.Function()] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// isUserFunction tells a callable name from an operator (_+_, @in, !_):
// CEL names its operators with punctuation.
func isUserFunction(name string) bool {
	return name != "" && !strings.ContainsAny(name[:1], "_@!")
}
