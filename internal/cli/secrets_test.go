package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/runlog/runlogtest"
	"github.com/osopdev/osop/internal/store"
)

// syncBuffer is a buffer several goroutines of one run write to (the
// progress view, the approver, the streams).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what one osop command did.
type result struct {
	code        int
	out, errOut string
}

func (r result) all() string { return r.out + r.errOut }

// osop runs the CLI in process. tty makes stderr a terminal, for the live
// view.
func osop(ctx context.Context, tty bool, args ...string) result {
	var out, errOut syncBuffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: tty}
	code := Main(ctx, args, io)
	return result{code, out.String(), errOut.String()}
}

// leakFlow echoes its secrets every way a command can: whole, on stderr,
// split across two writes, through a --var, an --input and a --set, as
// an output passed on, in a failure that is retried and handled, and it
// waits for an approval at the end.
const leakFlow = `osop_version: "2.0"
id: leak
name: Leak
inputs:
  - {name: greeting, type: string}
nodes:
  - id: echo
    type: cli
    runtime:
      command: |
        S=${secrets.TOKEN}
        printf '%s' "$S" > received-$OSOP_RUN_ID
        echo "whole=$S"
        echo "err=$S" >&2
        printf 'split='; printf '%s' "$S" | head -c 2; sleep 0.2; printf '%s' "$S" | tail -c +3; echo
        echo "file=${secrets.FILE_TOKEN}"
        echo "out=$S" >> $OSOP_OUTPUT
        echo "var={{V}} input=${inputs.greeting} note=$NOTE"
      env: {NOTE: none}
    outputs: [out]
  - id: boom
    type: cli
    runtime: {command: 'echo "failing with ${secrets.TOKEN}" >&2; exit 3'}
    retry_policy: {max_retries: 1, backoff_sec: 0}
  - id: recover
    type: cli
    runtime: {command: 'echo "recovered {{V}} ${outputs.echo.out}"'}
  - {id: ask, type: human, subtype: approval, purpose: Ship it}
edges:
  - {from: echo, to: boom}
  - {from: boom, to: recover, mode: fallback}
  - {from: recover, to: ask}
`

// secretCases are the secrets TestSecretsNeverLeak runs with: the
// shortest osop accepts, lengths up to 8 (a minimum length of 8 would
// leave all but the last unmasked), regex metacharacters, unicode, long.
var secretCases = []struct{ name, value string }{
	{"len3", "q7$"},
	{"len5", "zQ7#k"},
	{"len8", "hunter2!"},
	{"regex", `.*+?[x](|)^$\`},
	{"unicode", "pässwörd-秘密"},
	{"spaces", "two words here"},
	{"long", strings.Repeat("Lq9-x_Z", 43)},
}

// TestSecretsNeverLeak runs a workflow through the CLI with secrets and
// looks for them everywhere osop writes: the live view, the line view,
// --stream, --output json, osop logs, osop runs show (text and JSON),
// osop runs --output json, the .osoplog files, every table and column of
// the store, the journal while the run waits, and the raw bytes of every
// file under .osop.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, sc := range secretCases {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			fileToken := "file:" + sc.value
			secrets := []string{sc.value, fileToken}
			dir := t.TempDir()
			flow := filepath.Join(dir, "leak.osop.yaml")
			must(t, os.WriteFile(flow, []byte(leakFlow), 0o644))
			secretsFile := filepath.Join(dir, "secrets.env")
			must(t, os.WriteFile(secretsFile, []byte("# for the leak test\nFILE_TOKEN="+fileToken+"\n"), 0o600))
			args := func(id string, more ...string) []string {
				return append([]string{"run", flow, "--workdir", dir, "--run-id", id,
					"--secret", "TOKEN=" + sc.value, "--secrets-file", secretsFile,
					"--var", "V=" + sc.value, "--input", "greeting=hi-" + sc.value,
					"--set", "nodes.echo.runtime.env.NOTE='" + sc.value + "'"}, more...)
			}
			ctx := t.Context()
			modes := []struct {
				id   string
				tty  bool
				more []string
				want []string // masked text the output must show
			}{
				{"live", true, []string{"--auto-approve"}, []string{"✗ boom"}},
				{"stream", false, []string{"--auto-approve", "--stream"}, []string{
					"echo │ whole=***\n", "echo │ err=***\n", "echo │ split=***\n", "echo │ file=***\n",
					"echo │ var=*** input=hi-*** note=***\n", "recover │ recovered *** ***\n"}},
				{"json", false, []string{"--auto-approve", "--output", "json"}, []string{`"out":"***"`, `split=***`}},
			}
			for _, m := range modes {
				r := osop(ctx, m.tty, args(m.id, m.more...)...)
				if r.code != ExitRecovered {
					t.Fatalf("%s: exit %d, want %d:\n%s", m.id, r.code, ExitRecovered, r.all())
				}
				noSecret(t, m.id+" output", r.all(), secrets...)
				for _, w := range m.want {
					if !strings.Contains(r.all(), w) {
						t.Errorf("%s: the output lacks %q:\n%s", m.id, w, r.all())
					}
				}
				got, _ := os.ReadFile(filepath.Join(dir, "received-"+m.id))
				if string(got) != sc.value {
					t.Errorf("%s: the command received %q, not the secret", m.id, got)
				}
			}
			waiting(t, dir, args("lines"), secrets)
			afterwards(t, dir, secrets)
		})
	}
}

// waiting runs the workflow without --auto-approve, and while it waits for
// the approval looks at the journal and the store, then approves.
func waiting(t *testing.T, dir string, args []string, secrets []string) {
	ctx := t.Context()
	done := make(chan result, 1)
	go func() { done <- osop(ctx, false, args...) }()
	journal := filepath.Join(dir, ".osop", "journal", "lines.jsonl")
	deadline := time.Now().Add(patience)
	for {
		b, _ := os.ReadFile(journal)
		if bytes.Contains(b, []byte(`"NodeID":"recover"`)) && bytes.Contains(b, []byte(`"Status":"COMPLETED"`)) &&
			bytes.Contains(b, []byte(`"NodeID":"ask"`)) {
			noSecret(t, "the journal", string(b), secrets...)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not reach the approval within %v; journal:\n%s", patience, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	noSecretInStore(t, filepath.Join(dir, ".osop", "osop.db"), secrets)
	if r := osop(ctx, false, "approve", "--wait", "2m", "lines", "ask", "--workdir", dir); r.code != 0 {
		t.Fatalf("approve: %d %s", r.code, r.all())
	}
	r := <-done
	if r.code != ExitRecovered {
		t.Fatalf("lines: exit %d:\n%s", r.code, r.all())
	}
	noSecret(t, "lines output", r.all(), secrets...)
	if !strings.Contains(r.errOut, "waits for a decision") {
		t.Errorf("the run did not wait for the approval:\n%s", r.all())
	}
}

// afterwards reads every run back through the CLI and looks at every file.
func afterwards(t *testing.T, dir string, secrets []string) {
	ctx := t.Context()
	for _, id := range []string{"live", "stream", "json", "lines"} {
		for _, args := range [][]string{
			{"logs", id}, {"runs", "show", id}, {"runs", "show", id, "--output", "json"},
		} {
			r := osop(ctx, false, append(args, "--workdir", dir)...)
			if r.code != 0 {
				t.Fatalf("%v: exit %d: %s", args, r.code, r.all())
			}
			noSecret(t, strings.Join(args, " "), r.all(), secrets...)
		}
		runlogtest.Check(t, filepath.Join(dir, ".osop", "runs", id+".osoplog.yaml"))
	}
	logs := osop(ctx, false, "logs", "stream", "--workdir", dir).out
	for _, w := range []string{"whole=***", "err=***", "split=***", "file=***", "var=*** input=hi-*** note=***", "recovered *** ***", "failing with ***"} {
		if !strings.Contains(logs, w) {
			t.Errorf("osop logs lacks %q:\n%s", w, logs)
		}
	}
	r := osop(ctx, false, "runs", "--output", "json", "--workdir", dir)
	noSecret(t, "runs --output json", r.all(), secrets...)
	if !json.Valid([]byte(r.out)) || !strings.Contains(r.out, `"***"`) {
		t.Errorf("runs --output json shows no masked value:\n%s", r.out)
	}
	noSecretInStore(t, filepath.Join(dir, ".osop", "osop.db"), secrets)
	noSecretInFiles(t, filepath.Join(dir, ".osop"), secrets)
}

// noSecret fails when text holds a secret.
func noSecret(t testing.TB, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if i := strings.Index(text, s); i >= 0 {
			t.Errorf("%s holds the secret %q: …%s…", where, s, text[max(i-80, 0):min(i+len(s)+80, len(text))])
		}
	}
}

// noSecretInStore reads every value of every table of the store.
func noSecretInStore(t testing.TB, path string, secrets []string) {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	err = st.EachText(context.Background(), func(table, column, value string) {
		n++
		noSecret(t, fmt.Sprintf("the store's %s.%s", table, column), value, secrets...)
	})
	if err != nil || n == 0 {
		t.Fatalf("reading the store: %d values, %v", n, err)
	}
}

// noSecretInFiles reads the raw bytes of every file under dir: the
// database and its write-ahead log, journals, records, artifacts.
func noSecretInFiles(t testing.TB, dir string, secrets []string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		noSecret(t, p, string(b), secrets...)
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("reading %s: %d files, %v", dir, n, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestShortSecretsRefused: a secret of one or two characters cannot be
// masked without garbling all output; osop refuses it before anything
// runs, saying why, wherever it comes from.
func TestShortSecretsRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		flags []string
		file  string
		want  string
	}{
		{"one byte", []string{"--secret", "TOKEN=q"}, "", "secret TOKEN (given with --secret) is too short to mask: 1 character(s)"},
		{"two bytes", []string{"--secret", "TOKEN=q7"}, "", "secret TOKEN (given with --secret) is too short to mask: 2 character(s)"},
		{"two characters, six bytes", []string{"--secret", "TOKEN=日本"}, "", "is too short to mask: 2 character(s)"},
		{"from a secrets file", nil, "TOKEN=q7\n", "secret TOKEN (from the secrets file "},
		{"a dry run too", []string{"--secret", "TOKEN=q7", "--dry-run"}, "", "too short to mask"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			flow := filepath.Join(dir, "f.osop.yaml")
			must(t, os.WriteFile(flow, []byte(`osop_version: "2.0"
id: f
name: F
nodes:
  - {id: a, type: cli, runtime: {command: 'touch ran; echo ${secrets.TOKEN}'}}
`), 0o644))
			args := append([]string{"run", flow, "--workdir", dir}, tt.flags...)
			if tt.file != "" {
				must(t, os.WriteFile(filepath.Join(dir, "s.env"), []byte(tt.file), 0o600))
				args = append(args, "--secrets-file", filepath.Join(dir, "s.env"))
			}
			r := osop(t.Context(), false, args...)
			if r.code != ExitUsage || !strings.Contains(r.errOut, tt.want) || !strings.Contains(r.errOut, "would replace ordinary text everywhere") {
				t.Errorf("exit %d, want %d and %q:\n%s", r.code, ExitUsage, tt.want, r.all())
			}
			for _, f := range []string{"ran", ".osop"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s exists: something ran", f)
				}
			}
		})
	}
}

// TestCutOutputMasksASecretsEnd: osop keeps the last 64 KiB a command
// printed; when the cut falls inside a secret, the secret's end that is
// kept is masked too.
func TestCutOutputMasksASecretsEnd(t *testing.T) {
	t.Parallel()
	const token = "hunter22-tail" // 13 bytes: the cut keeps the last 5
	dir := t.TempDir()
	flow := filepath.Join(dir, "cut.osop.yaml")
	must(t, os.WriteFile(flow, []byte(`osop_version: "2.0"
id: cut
name: Cut
nodes:
  - {id: big, type: cli, runtime: {command: 'printf "%s" ${secrets.TOKEN}; head -c 65531 /dev/zero | tr "\0" y'}}
`), 0o644))
	for _, stream := range []bool{false, true} {
		id := fmt.Sprintf("cut-%v", stream)
		args := []string{"run", flow, "--workdir", dir, "--run-id", id, "--secret", "TOKEN=" + token}
		if stream {
			args = append(args, "--stream")
		}
		if r := osop(t.Context(), false, args...); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.errOut)
		}
		logs := osop(t.Context(), false, "logs", id, "--workdir", dir).out
		if strings.Contains(logs, "-tail") || !strings.Contains(logs, "…***yyy") {
			t.Errorf("stream=%v: the kept output begins %q", stream, logs[:min(len(logs), 120)])
		}
	}
}
