package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const nvimFlow = `osop_version: "2.0"
id: nvim
name: "編輯器測試 🚀"
nodes:
  - id: build
    type: cli
    purpose: Build it
    runtime: {command: "make all"}
    outputs: [tag]
  - {name: "出貨", id: ship, type: dokcer}
edges:
  - {from: build, to: ship}
`

// TestLSP_neovim starts the real osop binary from Neovim's own LSP
// client (headless), opens a file with an error, asks for a completion
// and a hover, types the fix, and checks what Neovim received.
func TestLSP_neovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("skipping: nvim is not installed (Debian: apt-get install neovim); .ci/run installs it")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "osop")
	build := exec.Command("go", "build", "-o", bin, "github.com/osopdev/osop/cmd/osop")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "edit.osop.yaml")
	if err := os.WriteFile(file, []byte(nvimFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/nvim/record.lua")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "record.json")
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile "+script)
	cmd.Env = append(os.Environ(), "OSOP_BIN="+bin, "OSOP_FILE="+file, "OSOP_OUT="+out, "HOME="+dir, "XDG_STATE_HOME="+dir, "XDG_CACHE_HOME="+dir)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nvim: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("nvim wrote no record: %v", err)
	}
	var rec struct {
		Error  string
		Opened struct {
			Diagnostics []struct {
				Code     string
				Severity int
				Message  string
				Range    struct{ Start struct{ Line, Character int } }
			}
		}
		Edited struct {
			Diagnostics []struct{ Code string }
		}
		Completion struct {
			Items []struct{ Label string }
		}
		Hover struct {
			Contents struct{ Value string }
		}
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatalf("record: %v\n%s", err, data)
	}
	if rec.Error != "" {
		t.Fatalf("the Lua script failed: %s\n%s", rec.Error, data)
	}
	ds := rec.Opened.Diagnostics
	if len(ds) != 1 || ds[0].Code != "unknown-node-type" || ds[0].Severity != 1 || !strings.Contains(ds[0].Message, `did you mean "docker"?`) {
		t.Errorf("diagnostics on open: %+v", ds)
	} else if s := ds[0].Range.Start; s.Line != 9 || s.Character != 33 {
		// `  - {name: "出貨", id: ship, type: ` is 33 characters, 33 UTF-16 units and 37 bytes.
		t.Errorf("unknown-node-type at %d:%d, want 9:33", s.Line, s.Character)
	}
	if len(rec.Edited.Diagnostics) != 0 {
		t.Errorf("diagnostics after typing the fix: %+v", rec.Edited.Diagnostics)
	}
	var labels []string
	for _, it := range rec.Completion.Items {
		labels = append(labels, it.Label)
	}
	if got := strings.Join(labels, " "); !strings.Contains(got, "docker") || !strings.Contains(got, "agent") {
		t.Errorf("completion after type: offered %q", got)
	}
	if h := rec.Hover.Contents.Value; !strings.Contains(h, "**build** · `cli`") || !strings.Contains(h, "make all") {
		t.Errorf("hover on build:\n%s", h)
	}
}
