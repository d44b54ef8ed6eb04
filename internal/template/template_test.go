package template

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScan(t *testing.T) {
	tests := []struct {
		in   string
		want []string // Name() of each ref, with ! for mustache and =default
	}{
		{"app:{{GIT_SHA}}", []string{"!GIT_SHA"}},
		{"app={{ ecr_image_url }}", []string{"!ecr_image_url"}},
		{"{{resource_outputs.lb_dns}}", []string{"!resource_outputs.lb_dns"}},
		{"v${inputs.version}-${outputs.build.digest}", []string{"inputs.version", "outputs.build.digest"}},
		{"git checkout ${BRANCH:-main}", []string{"BRANCH=main"}},
		{"Bearer ${secrets.API_TOKEN}", []string{"secrets.API_TOKEN"}},
		{"${{ github.sha }} and $((1+2)) and ${#arr[@]}", nil},
		{"cost: $${literal} \\{{x}}", nil},
		{"unterminated ${x and {{y", nil},
		{"{{ x | upper }}", nil},
		{"建置 {{VAR}} 與", []string{"!VAR"}},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range Scan(tt.in) {
			s := r.Name()
			if r.Mustache {
				s = "!" + s
			}
			if r.HasDefault {
				s += "=" + r.Default
			}
			got = append(got, s)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Scan(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestExpand(t *testing.T) {
	vals := map[string]string{"GIT_SHA": "abc123", "inputs.env": "prod", "ecr_image_url": "r/app:1"}
	resolve := func(r Ref) (string, bool) {
		v, ok := vals[r.Name()]
		return v, ok
	}
	got, missing := Expand("app:{{GIT_SHA}} ${inputs.env} ${HOME} {{nope}} $${x} \\{{y}} app={{ecr_image_url}}", resolve)
	want := "app:abc123 prod ${HOME} {{nope}} ${x} {{y}} app=r/app:1"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var names []string
	for _, m := range missing {
		names = append(names, m.Name())
	}
	if strings.Join(names, ",") != "HOME,nope" {
		t.Errorf("missing %v", names)
	}
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"{{a}}", "${b:-c}", "$${d}", "\\{{e}}", "x${", "{{", "${a.b.c}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Resolving nothing, Expand only undoes escapes: it never grows the
		// string, and every reference it reports is where it says it is.
		got, missing := Expand(s, func(Ref) (string, bool) { return "", false })
		if len(got) > len(s) {
			t.Fatalf("Expand(%q) = %q grew", s, got)
		}
		for _, r := range missing {
			if r.Offset < 0 || r.Offset+len(r.Text) > len(s) || s[r.Offset:r.Offset+len(r.Text)] != r.Text {
				t.Fatalf("Expand(%q): ref %+v is not at its offset", s, r)
			}
		}
	})
}

// TestExpandShell: the one-string form runs the same through sh, and a
// command it cannot place values in becomes a script that refuses.
func TestExpandShell(t *testing.T) {
	got, _ := ExpandShell("echo {{v}} ${HOME}", func(r Ref) (string, bool) { return "a;b", r.Name() == "v" })
	if want := "OSOP_V_v='a;b'\necho \"${OSOP_V_v}\" ${HOME}"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	refused, _ := ExpandShell("{{v}}=1", func(Ref) (string, bool) { return "x", true })
	out, err := exec.Command("sh", "-c", refused).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "osop: line 1, column 1: {{v}} stands in a variable's name") {
		t.Errorf("%s: got %q (%v), want a refusal", refused, out, err)
	}
}

// TestExpandShell_realShell runs the quoted commands through sh and checks
// the value arrives as one unchanged argument.
func TestExpandShell_realShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	values := []string{`a b`, `it's`, `"q"`, `$(echo pwned)`, "`echo pwned`", `back\slash`, "new\nline", `;|&<>*?`, ``}
	for _, v := range values {
		for _, form := range []string{`printf %s {{v}}`, `printf %s "{{v}}"`, `printf %s '{{v}}'`} {
			cmd, _ := ExpandShell(form, func(Ref) (string, bool) { return v, true })
			out, err := exec.Command(sh, "-c", cmd).Output()
			if err != nil || string(out) != v {
				t.Errorf("%s with %q: ran %s, got %q (%v)", form, v, cmd, out, err)
			}
		}
	}
}

// TestShellJoin runs the joined line through sh and checks each word
// arrives as it was: a dry run's command line is the argv that runs.
func TestShellJoin(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	// Each word the shell reads specially, alone and inside a word: one
	// left unquoted splits the line or runs something.
	argv := []string{"printf", `[%s]\n`, "plain", "a b", "it's", "", "$HOME", "--build-arg=K=v w", "new\nline"}
	for _, c := range []string{";", "&", "|", "<", ">", "(", ")", "#", "~", "*", "?", "[", "]", "{", "}", "!", "$", "`", `\`, "'", `"`, "\t", "\n", " "} {
		argv = append(argv, c, "a"+c+"b", c+"x")
	}
	line := ShellJoin(argv)
	out, err := exec.Command(sh, "-c", line).Output()
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var want strings.Builder
	for _, a := range argv[2:] {
		want.WriteString("[" + a + "]\n")
	}
	if string(out) != want.String() {
		t.Errorf("sh -c %s\n got %q\nwant %q", line, out, want.String())
	}
	if got := ShellJoin([]string{"docker", "push", "127.0.0.1:5000/app:abc"}); got != "docker push 127.0.0.1:5000/app:abc" {
		t.Errorf("plain words are left as they are: %s", got)
	}
}
