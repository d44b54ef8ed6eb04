package shell

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/template"
)

const secret = "s3'cr\"et"

// request builds what the engine gives the executor: templates resolve
// from vals, secret values are masked.
func request(t *testing.T, cmd any, vals map[string]string) *executor.Request {
	t.Helper()
	dir := t.TempDir()
	resolve := func(r template.Ref) (string, bool) {
		v, ok := vals[r.Name()]
		return v, ok
	}
	return &executor.Request{
		RunID: "r1", NodeID: "n", Attempt: 1, Runtime: map[string]any{"command": cmd},
		Workdir: dir, TempDir: t.TempDir(), Env: []string{"PATH=" + os.Getenv("PATH")},
		Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{},
		Expand: func(s string) (string, error) {
			v, _ := template.Expand(s, resolve)
			return v, nil
		},
		PrepareShell: func(s, shell string) (executor.ShellCommand, error) {
			c, _, err := template.Shell(s, template.ShellOptions{Shell: shell}, resolve)
			if err != nil {
				return executor.ShellCommand{}, err
			}
			return executor.ShellCommand{Script: c.Script, Env: c.Env()}, nil
		},
		Mask: func(s string) string { return strings.ReplaceAll(s, secret, "***") },
	}
}

// TestCommand_values runs commands whose values would inject commands if
// they were shell text: each arrives as written, nothing else runs.
func TestCommand_values(t *testing.T) {
	vals := map[string]string{"X": `hi; touch pwned $(touch pwned) "'`, "secrets.T": secret}
	for _, cmd := range []string{
		`printf %s {{X}} > out`,
		`printf %s "$(printf %s {{X}})" > out`,
		"cat > out <<EOF\n{{X}}\nEOF\ntruncate -s -1 out",
	} {
		req := request(t, cmd, vals)
		if _, err := (&Command{}).Execute(t.Context(), req); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		got, _ := os.ReadFile(filepath.Join(req.Workdir, "out"))
		if string(got) != vals["X"] {
			t.Errorf("%s: got %q, want %q", cmd, got, vals["X"])
		}
		if _, err := os.Stat(filepath.Join(req.Workdir, "pwned")); err == nil {
			t.Fatalf("%s: the value ran as a command", cmd)
		}
	}
}

// TestCommand_describeIsWhatRuns: the dry run's line, with the bindings it
// shows put before the command, does what the run does; a secret is
// masked in it, however it is quoted.
func TestCommand_describeIsWhatRuns(t *testing.T) {
	for _, v := range []string{"a b'c\n$(touch pwned)", "x;false", "", "~"} {
		describeIsWhatRuns(t, v)
	}
}

func describeIsWhatRuns(t *testing.T, v string) {
	vals := map[string]string{"X": v, "secrets.T": secret}
	cmd := `printf '[%s]' {{X}} "$(printf %s {{X}})" > out; test -n ${secrets.T}`
	req := request(t, cmd, vals)
	line, err := (&Command{}).Describe(req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(line, "s3") || !strings.Contains(line, "OSOP_V_secrets_T='***'") {
		t.Errorf("the secret is not masked: %s", line)
	}
	if _, err := (&Command{}).Execute(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	ran, _ := os.ReadFile(filepath.Join(req.Workdir, "out"))

	req.Mask = func(s string) string { return s }
	line, _ = (&Command{}).Describe(req)
	command, binds, ok := strings.Cut(line, "  (with ")
	if !ok {
		t.Fatalf("no bindings in %s", line)
	}
	pasted := exec.Command("bash", "-c", strings.TrimSuffix(binds, ")")+" "+command)
	pasted.Dir = t.TempDir()
	if out, err := pasted.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", line, err, out)
	}
	got, _ := os.ReadFile(filepath.Join(pasted.Dir, "out"))
	if string(got) != string(ran) || string(ran) != "["+v+"]["+v+"]" {
		t.Errorf("pasted %s\n got %q\nran %q", line, got, ran)
	}
}

// TestCommand_expandShell: a request with only ExpandShell (built by hand,
// or by an older engine) runs the one-string form, which is as safe.
func TestCommand_expandShell(t *testing.T) {
	vals := map[string]string{"X": "x; touch pwned"}
	req := request(t, `printf %s {{X}} > out`, vals)
	req.PrepareShell = nil
	req.ExpandShell = func(s string) (string, error) {
		v, _ := template.ExpandShell(s, func(r template.Ref) (string, bool) {
			v, ok := vals[r.Name()]
			return v, ok
		})
		return v, nil
	}
	if _, err := (&Command{}).Execute(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(req.Workdir, "out"))
	if string(got) != vals["X"] {
		t.Errorf("got %q", got)
	}
}

// TestCommand_check refuses, before anything runs, placeholders with no
// safe place, pointing at them; runtime.raw turns the check off.
func TestCommand_check(t *testing.T) {
	check := func(rt map[string]any) []executor.Problem {
		return (&Command{}).Check(executor.NodeConfig{ID: "n", Type: "cli", Runtime: rt})
	}
	cmd := "cat <<'EOF'\n  {{X}}\nEOF"
	ps := check(map[string]any{"command": cmd})
	if len(ps) != 1 || ps[0].Token != "{{X}}" || ps[0].Offset != strings.Index(cmd, "{{X}}") ||
		strings.Join(ps[0].Path, ".") != "runtime.command" || !strings.Contains(ps[0].Summary, "quoted") || ps[0].Detail == "" {
		t.Errorf("got %+v", ps)
	}
	if ps := check(map[string]any{"command": cmd, "raw": true}); len(ps) != 0 {
		t.Errorf("raw: %+v", ps)
	}
	if ps := check(map[string]any{"command": "print('{{X}}')", "shell": "python3"}); len(ps) != 1 {
		t.Errorf("python: %+v", ps)
	}
	if ps := check(map[string]any{"command": "echo {{X}} ${HOME}"}); len(ps) != 0 {
		t.Errorf("a fine command: %+v", ps)
	}
}
