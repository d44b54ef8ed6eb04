package infra

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
)

const playbook = `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: write the greeting
      ansible.builtin.copy:
        dest: "{{ out_dir }}/greeting.txt"
        content: "{{ greeting }}\n"
    - name: read it back
      ansible.builtin.command: cat "{{ out_dir }}/greeting.txt"
      register: said
      changed_when: false
    - ansible.builtin.assert:
        that: said.stdout == greeting
`

// TestAnsible_localPlaybook runs a real playbook against localhost with
// connection: local; extra_vars reach it through a file, not argv.
func TestAnsible_localPlaybook(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("skipping: ansible-playbook is not installed (Debian: ansible-core)")
	}
	t.Parallel()
	rt := map[string]any{"tool": "ansible", "action": "playbook", "playbook": "site.yml", "inventory": "localhost,",
		"extra_vars": map[string]any{"greeting": "hello from osop", "out_dir": "OUT"}}
	req := toolRequest(t, rt)
	rt["extra_vars"].(map[string]any)["out_dir"] = req.Workdir
	home := t.TempDir()
	req.Env = append(os.Environ(), "HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"))
	var stderr bytes.Buffer
	req.Stderr, req.Outputs = &stderr, []string{"playbook_result", "changed_tasks"}
	if err := os.WriteFile(filepath.Join(req.Workdir, "site.yml"), []byte(playbook), 0o644); err != nil {
		t.Fatal(err)
	}
	desc, err := (&Infra{}).Describe(req)
	if err != nil || !strings.HasPrefix(desc, "ansible-playbook -i localhost, -e @") || !strings.Contains(desc, "(extra_vars greeting, out_dir in that file)") {
		t.Errorf("Describe = %q, %v", desc, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	res, err := (&Infra{}).Execute(ctx, req)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	got, _ := os.ReadFile(filepath.Join(req.Workdir, "greeting.txt"))
	if string(got) != "hello from osop\n" {
		t.Errorf("greeting.txt = %q", got)
	}
	o := res.Outputs
	if o["playbook_result"] != "changed" || o["changed_tasks"] != 1 || o["failed_tasks"] != 0 {
		t.Errorf("outputs %v", o)
	}
	if strings.Contains(stderr.String(), "hello from osop") {
		t.Errorf("an extra_vars value is in the command line:\n%s", stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(req.TempDir, "*ansible-vars*")); len(left) != 0 {
		t.Errorf("vars file left behind: %v", left)
	}

	// Run again: nothing changes; a failing assert fails the node.
	res, err = (&Infra{}).Execute(ctx, req)
	if err != nil || res.Outputs["playbook_result"] != "ok" {
		t.Errorf("second run: %v, %v; want ok", res, err)
	}
	if err := os.WriteFile(filepath.Join(req.Workdir, "greeting.txt"), []byte("tampered\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt["extra_vars"].(map[string]any)["greeting"] = "other"
	if err := os.Chmod(req.Workdir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(req.Workdir, 0o755)
	if os.Geteuid() != 0 { // root writes through the read-only directory
		if _, err := (&Infra{}).Execute(ctx, req); err == nil {
			t.Error("a failing playbook must fail the node")
		}
	}
}

func TestAnsible_ping(t *testing.T) {
	if _, err := exec.LookPath("ansible"); err != nil {
		t.Skip("skipping: ansible is not installed (Debian: ansible-core)")
	}
	t.Parallel()
	req := toolRequest(t, map[string]any{"tool": "ansible", "action": "ping", "inventory": "localhost,", "group": "localhost", "connection": "local"})
	home := t.TempDir()
	req.Env = append(os.Environ(), "HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := (&Infra{}).Execute(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Outputs["reachable_hosts"].([]any); len(r) != 1 || r[0] != "localhost" {
		t.Errorf("outputs %v", res.Outputs)
	}
}

func TestInfra_declinesUnknownTools(t *testing.T) {
	n := executor.NodeConfig{Type: "infra", Runtime: map[string]any{"tool": "argocd", "action": "sync"}}
	if why := (&Infra{}).Decline(n); !strings.Contains(why, "a step for a person") {
		t.Errorf("Decline = %q", why)
	}
	if ps := (&Infra{}).Check(n); len(ps) != 1 || ps[0].Severity != diag.Info {
		t.Errorf("Check = %v; want one info note", ps)
	}
	for _, rt := range []map[string]any{{}, {"tool": "kubernetes", "environment": "staging"}} {
		if ps := (&Infra{}).Check(executor.NodeConfig{Type: "infra", Runtime: rt}); len(ps) != 1 || ps[0].Severity != diag.Info {
			t.Errorf("Check(%v) = %v; want one info note", rt, ps)
		}
	}
	if why := (&Infra{}).Decline(executor.NodeConfig{Type: "infra", Runtime: map[string]any{"tool": "ansible"}}); why != "" {
		t.Errorf("ansible declined: %q", why)
	}
}
