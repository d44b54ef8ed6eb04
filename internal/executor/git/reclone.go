package git

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
)

// reuseClone handles a clone into a directory that already exists, as on
// a workflow's second run in the same workdir, where git clone would fail
// with "destination path already exists". A clone of the same repository
// is fetched and checked out instead (and the node says so); anything
// else there is refused, saying what is in the way. done reports that
// the clone is not needed.
func (s *settings) reuseClone(ctx context.Context, t proc.Tool, dir string) (done bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return false, nil // absent or empty: git clone makes or fills it
	}
	repo := s.repository()
	if !isRepo(dir) {
		return false, executor.Errorf(run.CodeConfig, false,
			"git clone %s: %s already exists and is not a git working copy; remove it, or set runtime.directory to another path", repo, dir)
	}
	t.Dir, t.Quiet = dir, true
	origin, err := t.Output(ctx, nil, "git", "remote", "get-url", "origin")
	if err != nil || !sameRepo(strings.TrimSpace(origin), repo) {
		return false, executor.Errorf(run.CodeConfig, false,
			"git clone %s: %s is already a clone of another repository (origin %s); remove it, or set runtime.directory to another path",
			repo, dir, firstOf(strings.TrimSpace(origin), "none"))
	}
	t.Quiet = false
	ref := s.str("branch")
	fetch := []string{"git", "fetch"}
	if d := s.str("depth"); d != "" {
		fetch = append(fetch, "--depth", d)
	}
	if _, err := t.Output(ctx, nil, append(fetch, "--", "origin", firstOf(ref, "HEAD"))...); err != nil {
		return false, err
	}
	checkout := []string{"git", "checkout", "--detach", "FETCH_HEAD"}
	if ref != "" {
		// -B moves the local branch to what was fetched, as a fresh clone
		// of that branch would have it.
		checkout = []string{"git", "checkout", "-B", ref, "FETCH_HEAD"}
	}
	if _, err := t.Output(ctx, nil, checkout...); err != nil {
		return false, err
	}
	fmt.Fprintf(s.req.Stderr, "%s is already a clone of %s: fetched and checked out %s instead of cloning\n", dir, repo, firstOf(ref, "its default branch"))
	return true, nil
}

// sameRepo reports whether two repository addresses name one repository,
// ignoring a trailing slash or .git.
func sameRepo(a, b string) bool {
	norm := func(s string) string { return strings.TrimSuffix(strings.TrimRight(s, "/"), ".git") }
	return norm(a) == norm(b)
}
