package validate

import (
	"fmt"
	"sort"
	"strings"
)

// synonyms maps words people write to the name osop knows, where spelling
// distance would not find it.
var synonyms = map[string]string{
	// node types
	"shell": "cli", "bash": "cli", "script": "cli", "command": "cli", "cmd": "cli",
	"http": "api", "rest": "api", "webhook": "api", "request": "api",
	"llm": "agent", "ai": "agent", "model": "agent",
	"k8s": "infra", "kubernetes": "infra", "kubectl": "infra", "terraform": "infra", "helm": "infra",
	"approval": "human", "manual": "human", "person": "human",
	"container": "docker", "database": "db", "sql": "db",
	"transform": "data", "ci": "cicd",
	// edge modes
	"seq": "sequential", "next": "sequential", "then": "sequential",
	"condition": "conditional", "if": "conditional", "when": "conditional",
	"on_failure": "fallback", "onfailure": "fallback", "on_error": "error", "failure": "fallback",
	"retry": "loop", "foreach": "loop", "for_each": "loop", "repeat": "loop",
	"concurrent": "parallel", "fork": "parallel",
	// fields
	"retries": "retry_policy", "timeout_seconds": "timeout_sec", "timeout_s": "timeout_sec",
	"depends_on": "edges", "needs": "edges", "steps": "nodes", "tasks": "nodes",
	"desc": "description", "title": "name",
}

// closest returns the candidate nearest to word, when one is near enough
// to be what was meant.
func closest(word string, candidates []string) (string, bool) {
	if s, ok := synonyms[strings.ToLower(word)]; ok {
		for _, c := range candidates {
			if c == s {
				return s, true
			}
		}
	}
	lw := strings.ToLower(word)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := distance(lw, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := max(1, len([]rune(word))/3)
	if best == "" || bestD > limit {
		return "", false
	}
	return best, true
}

// didYouMean is a detail line suggesting the closest candidate, or listing
// them when there are few.
func didYouMean(word string, candidates []string) string {
	if s, ok := closest(word, candidates); ok {
		return fmt.Sprintf("did you mean %q?", s)
	}
	if len(candidates) > 0 && len(candidates) <= 16 {
		sorted := append([]string(nil), candidates...)
		sort.Strings(sorted)
		return "known: " + strings.Join(sorted, ", ")
	}
	return ""
}

// distance is the Damerau-Levenshtein (optimal string alignment) distance,
// so a swapped pair of letters costs one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Closest returns the candidate nearest to word when one is near enough
// to be what was meant: for the CLI's own "did you mean" (--set paths).
func Closest(word string, candidates []string) (string, bool) { return closest(word, candidates) }
