package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/jsonout"
)

// TestResumeRereadsSecrets: the store keeps where each secret came from,
// never its value; resume reads it there again, refuses (exit 2, nothing
// run) while one cannot be read, and puts back the --var, --input and
// --set values that held one.
func TestResumeRereadsSecrets(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	flow := filepath.Join(dir, "r.osop.yaml")
	must(t, os.WriteFile(flow, []byte(`osop_version: "2.0"
id: r
name: R
inputs: [{name: greeting, type: string}]
nodes:
  - {id: gate, type: cli, runtime: {command: 'echo gate >> count; test -f fixed'}}
  - id: use
    type: cli
    runtime:
      command: |
        printf '%s' "{{V}}" > got-var
        printf '%s' "${inputs.greeting}" > got-input
        printf '%s' "$NOTE" > got-note
        printf '%s' "${secrets.TOKEN}" > got-token
        printf '%s' "${secrets.FILE_TOKEN}" > got-file
      env: {NOTE: none}
edges: [{from: gate, to: use}]
`), 0o644))
	secretsFile := filepath.Join(dir, "s.env")
	writeSecrets := func(body string) { must(t, os.WriteFile(secretsFile, []byte(body), 0o600)) }
	writeSecrets("FILE_TOKEN='file-5678'\n")
	const token = "tok-1234"
	r := osop(ctx, false, "run", flow, "--workdir", dir, "--run-id", "r", "--secret", "TOKEN="+token,
		"--secrets-file", secretsFile, "--var", "V="+token, "--input", "greeting=hi-file-5678",
		"--set", "nodes.use.runtime.env.NOTE='"+token+"'")
	if r.code != ExitFailed {
		t.Fatalf("run: exit %d, want 1:\n%s", r.code, r.all())
	}
	secrets := []string{token, "file-5678"}
	noSecretInStore(t, filepath.Join(dir, ".osop", "osop.db"), secrets)
	resume := func(args ...string) result {
		return osop(ctx, false, append([]string{"resume", "r", "--workdir", dir}, args...)...)
	}
	refused := []struct {
		name  string
		setup func()
		args  []string
		want  string
	}{
		{"a --secret is not given again", nil, nil, "TOKEN (it was given with --secret)"},
		{"the secrets file is gone", func() { os.Remove(secretsFile) }, []string{"--secret", "TOKEN=" + token},
			"FILE_TOKEN (it came from " + secretsFile + ": --secrets-file: open "},
		{"the secrets file no longer has it", func() { writeSecrets("OTHER=xyz\n") }, []string{"--secret", "TOKEN=" + token},
			"FILE_TOKEN (it came from " + secretsFile + ", which no longer has it)"},
		{"too short", nil, []string{"--secret", "TOKEN=q7", "--secret", "FILE_TOKEN=file-5678"}, "secret TOKEN (given with --secret) is too short to mask"},
	}
	for _, tt := range refused {
		if tt.setup != nil {
			tt.setup()
		}
		r := resume(tt.args...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, tt.want) {
			t.Errorf("%s: exit %d, want 2 and %q:\n%s", tt.name, r.code, tt.want, r.all())
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "count")); string(b) != "gate\n" {
		t.Errorf("a refused resume ran something: count %q", b)
	}
	writeSecrets("FILE_TOKEN='file-5678'\n")
	must(t, os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o644))
	if r := resume("--secret", "TOKEN="+token); r.code != 0 {
		t.Fatalf("resume: exit %d:\n%s", r.code, r.all())
	}
	got := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "got-"+name))
		return string(b)
	}
	for name, want := range map[string]string{"var": token, "input": "hi-file-5678", "note": token, "token": token, "file": "file-5678"} {
		if got(name) != want {
			t.Errorf("after resume, %s = %q, want %q", name, got(name), want)
		}
	}
	// A value that was a secret follows the secret: given anew, it is the
	// new value.
	r = osop(ctx, false, "retry", "r", "--from", "use", "--workdir", dir, "--secret", "TOKEN=tok-new-999")
	if r.code != 0 || got("var") != "tok-new-999" || got("note") != "tok-new-999" || got("file") != "file-5678" {
		t.Errorf("retry with a new TOKEN: exit %d, var %q, note %q, file %q:\n%s", r.code, got("var"), got("note"), got("file"), r.all())
	}
	noSecretInStore(t, filepath.Join(dir, ".osop", "osop.db"), append(secrets, "tok-new-999"))
	noSecretInFiles(t, filepath.Join(dir, ".osop"), append(secrets, "tok-new-999"))
}

// TestEnvSecrets: with security.secrets.provider: env, a secret comes
// from the environment. It is masked from the start (a --var equal to it
// too), checked for length, recorded as coming from the environment, and
// read from there again by resume, which refuses when it is gone.
func TestEnvSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "env.osop.yaml"), []byte(`osop_version: "2.0"
id: env
name: Env
security: {secrets: {provider: env}}
nodes:
  - id: use
    type: cli
    runtime:
      command: |
        S=${secrets.API_KEY}
        printf 'split='; printf '%s' "$S" | head -c 3; sleep 0.2; printf '%s' "$S" | tail -c +4; echo
        printf '%s' "{{V}}" > got-var
        test -f fixed
`), 0o644))
	const key = "env-secret-42"
	env := []string{"API_KEY=" + key}
	p := start(t, dir, env, "run", "--run-id", "e", "--stream", "--var", "V="+key, "env.osop.yaml")
	if code := p.wait(t); code != ExitFailed {
		t.Fatalf("run: exit %d, want 1:\n%s", code, p.output())
	}
	noSecret(t, "the run's output", p.output(), key)
	if !strings.Contains(p.output(), "use │ split=***\n") {
		t.Errorf("the streamed output lacks the masked split secret:\n%s", p.output())
	}
	noSecretInStore(t, filepath.Join(dir, ".osop", "osop.db"), []string{key})
	r := osop(t.Context(), false, "runs", "show", "e", "--output", "json", "--workdir", dir)
	var shown struct {
		Run struct {
			Params struct{ Secrets []jsonout.Secret }
		}
	}
	if err := json.Unmarshal([]byte(r.out), &shown); err != nil || len(shown.Run.Params.Secrets) != 1 ||
		shown.Run.Params.Secrets[0] != (jsonout.Secret{Name: "API_KEY", From: "env"}) {
		t.Errorf("runs show does not say API_KEY came from the environment (%v):\n%s", err, r.out)
	}
	must(t, os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o644))
	p = start(t, dir, []string{"-API_KEY"}, "resume", "e")
	if code := p.wait(t); code != ExitUsage || !strings.Contains(p.output(), "API_KEY (it came from the environment, where it is not set now)") {
		t.Errorf("resume without API_KEY: exit %d, want 2:\n%s", code, p.output())
	}
	p = start(t, dir, env, "resume", "e")
	if code := p.wait(t); code != ExitOK {
		t.Fatalf("resume: exit %d:\n%s", code, p.output())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "got-var")); string(b) != key {
		t.Errorf("after resume, the --var that was the secret is %q", b)
	}
	noSecretInFiles(t, filepath.Join(dir, ".osop"), []string{key})
	p = start(t, dir, []string{"API_KEY=ab"}, "run", "env.osop.yaml", "--var", "V=x")
	if code := p.wait(t); code != ExitUsage || !strings.Contains(p.output(), "secret API_KEY (from the environment) is too short to mask") {
		t.Errorf("a two-character secret from the environment: exit %d, want 2:\n%s", code, p.output())
	}
}
