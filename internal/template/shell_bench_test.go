package template

import (
	"os/exec"
	"strings"
	"testing"
)

// benchScript is a longer command of the kind workflows hold: a heredoc,
// substitutions, a loop, five placeholders.
var benchScript = strings.Join([]string{
	`set -euo pipefail`,
	`echo "deploying {{IMAGE}}:{{GIT_SHA}} to ${inputs.env}"`,
	`mkdir -p build && cd build`,
	`cat > manifest.yaml <<EOF`,
	`image: {{IMAGE}}:{{GIT_SHA}}`,
	`replicas: $(( {{REPLICAS}} + 1 ))`,
	`built: $(date -u +%FT%TZ)`,
	`EOF`,
	`for f in *.yaml; do`,
	`  if grep -q "{{IMAGE}}" "$f"; then echo "ok $f"; fi`,
	`done`,
	`printf '%s\n' "$(basename "${outputs.build.digest}")" >> "$OSOP_OUTPUT"`,
}, "\n")

// BenchmarkShell measures what preparing a command costs: parsing it and
// placing its values. "process start" starts /bin/true, the least any
// command costs, for the ratio.
func BenchmarkShell(b *testing.B) {
	resolve := func(r Ref) (string, bool) {
		switch r.Name() {
		case "REPLICAS":
			return "3", true
		case "HOME", "PATH":
			return "", false
		}
		return "value with spaces; and $(quotes)", true
	}
	for _, bc := range []struct{ name, cmd string }{
		{"no placeholder", "make build && make test"},
		{"one line", `docker build -t {{IMAGE}}:{{GIT_SHA}} --build-arg V="${inputs.version}" .`},
		{"issue 7", `echo "v: $(echo {{X}})"`},
		{"script", benchScript},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Shell(bc.cmd, ShellOptions{}, resolve); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("process start", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Skip(err)
			}
		}
	})
}
