package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/shared"
)

// TestRunbookMatchesDryRun: what the story and the agent instructions say
// a step does is, to the byte, the action the dry run shows for it (the
// executor's own description of what runs), for the quickstart and the
// seed.
func TestRunbookMatchesDryRun(t *testing.T) {
	t.Parallel()
	files := []string{"../../examples/quickstart.osop.yaml"}
	if dir, ok := shared.Lookup("seed"); ok {
		files = append(files, filepath.Join(dir, "kubernetes-deploy.osop.yaml"))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir() // not a git checkout: GIT_SHA is <GIT_SHA> in all three
			dry := dryRunActions(t, osopOut(t, "run", "--dry-run", "--workdir", dir, file))
			if len(dry) == 0 {
				t.Fatal("the dry run shows no action")
			}
			for format, got := range map[string]map[string]string{
				"story": storyActions(t, osopOut(t, "render", "-f", "story", file)),
				"agent": agentActions(t, osopOut(t, "render", "-f", "agent", file)),
			} {
				for node, want := range dry {
					if got[node] != want {
						t.Errorf("%s of %s:\n got %q\nwant %q (the dry run's)", format, node, got[node], want)
					}
				}
				for node := range got {
					if _, ok := dry[node]; !ok {
						t.Errorf("%s shows an action for %s, the dry run none", format, node)
					}
				}
			}
		})
	}
}

// TestDryRun_seedPush: the dry run of the seed's push tags and pushes the
// image the build makes, app:<GIT_SHA>, as the real run does, not a
// placeholder name.
func TestDryRun_seedPush(t *testing.T) {
	t.Parallel()
	dir := shared.Dir(t, "seed")
	dry := dryRunActions(t, osopOut(t, "run", "--dry-run", "--workdir", t.TempDir(), filepath.Join(dir, "kubernetes-deploy.osop.yaml")))
	want := "docker tag 'app:<GIT_SHA>' '123456789.dkr.ecr.us-east-1.amazonaws.com/app:<GIT_SHA>' && docker push '123456789.dkr.ecr.us-east-1.amazonaws.com/app:<GIT_SHA>'"
	if dry["push_to_ecr"] != want {
		t.Errorf("push_to_ecr:\n got %q\nwant %q", dry["push_to_ecr"], want)
	}
	if got := dry["update_manifests"]; !strings.Contains(got, "set image app=123456789.dkr.ecr.us-east-1.amazonaws.com/app:<GIT_SHA>") {
		t.Errorf("update_manifests: %q", got)
	}
}

func osopOut(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	if code := Main(context.Background(), args, io); code != 0 {
		t.Fatalf("osop %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

var dryStep = regexp.MustCompile(`^ *\d+\. (\S+) \[[^]]*\]$`)

// dryRunActions reads the action of each step of a dry run: from the
// first line indented under the step that is not "runs:" or "cannot
// show:", every line up to the next step (a script's later lines are
// printed as they are, so that it can be pasted).
func dryRunActions(t *testing.T, out string) map[string]string {
	t.Helper()
	acts := map[string]string{}
	node := ""
	var lines []string
	flush := func() {
		if node != "" && len(lines) > 0 {
			acts[node] = strings.TrimSuffix(strings.Join(lines, "\n"), "\n")
		}
		lines = nil
	}
	for _, l := range strings.Split(out, "\n")[1:] {
		if m := dryStep.FindStringSubmatch(l); m != nil {
			flush()
			node = m[1]
			continue
		}
		if len(lines) > 0 {
			lines = append(lines, l)
			continue
		}
		body, ok := strings.CutPrefix(l, "       ")
		if !ok || strings.HasPrefix(body, "runs: ") || strings.HasPrefix(body, "cannot show: ") {
			continue
		}
		lines = append(lines, body)
	}
	flush()
	return acts
}

var (
	storyHead = regexp.MustCompile("^`([^`]+)` · ")
	agentHead = regexp.MustCompile(`^\d+\. \*\*([^*]+)\*\* `)
)

// storyActions reads each step's "Does:" of a story.
func storyActions(t *testing.T, md string) map[string]string {
	t.Helper()
	return markdownActions(t, md, "- **Does:**", "  ", func(l string) string {
		if m := storyHead.FindStringSubmatch(l); m != nil {
			return m[1]
		}
		return ""
	})
}

// agentActions reads each instruction's "Do:" of agent instructions.
func agentActions(t *testing.T, md string) map[string]string {
	t.Helper()
	return markdownActions(t, md, "   - Do:", "     ", func(l string) string {
		if m := agentHead.FindStringSubmatch(l); m != nil {
			return m[1]
		}
		return ""
	})
}

// markdownActions finds, under each node's heading, the line starting
// with lead followed by an inline code span, or by a fenced block
// indented by indent.
func markdownActions(t *testing.T, md, lead, indent string, head func(string) string) map[string]string {
	t.Helper()
	acts := map[string]string{}
	lines := strings.Split(md, "\n")
	node := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if id := head(l); id != "" {
			node = id
			continue
		}
		rest, ok := strings.CutPrefix(l, lead)
		if !ok || node == "" {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest != "" {
			acts[node] = inlineCode(t, rest)
			continue
		}
		// A fenced block: a blank line, then indent + fence … indent + fence.
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) == ""; i++ {
		}
		fence := strings.TrimPrefix(lines[i], indent)
		var body []string
		for i++; i < len(lines) && lines[i] != indent+fence; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		acts[node] = strings.Join(body, "\n")
	}
	return acts
}

// inlineCode returns the content of a CommonMark code span.
func inlineCode(t *testing.T, s string) string {
	t.Helper()
	n := len(s) - len(strings.TrimLeft(s, "`"))
	if n == 0 || !strings.HasSuffix(s, strings.Repeat("`", n)) {
		t.Fatalf("not a code span: %q", s)
	}
	c := s[n : len(s)-n]
	if len(c) > 2 && c[0] == ' ' && c[len(c)-1] == ' ' {
		c = c[1 : len(c)-1]
	}
	return c
}
