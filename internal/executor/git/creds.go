package git

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// askpass answers git's username and password prompts from the
// environment, so neither is ever in an argument list or a file.
const askpass = `#!/bin/sh
case "$1" in
  [Uu]sername*) printf '%s\n' "$OSOP_GIT_USERNAME" ;;
  *) printf '%s\n' "$OSOP_GIT_PASSWORD" ;;
esac
`

// credentials says, for a dry run, how the node authenticates (never
// the values).
func (s *settings) credentials() string {
	var parts []string
	if str(s.req.Runtime, "password") != "" || str(s.req.Runtime, "token") != "" {
		parts = append(parts, "username and password through GIT_ASKPASS")
	}
	if str(s.req.Runtime, "ssh_key") != "" {
		parts = append(parts, "ssh key in a private file through GIT_SSH_COMMAND")
	}
	return strings.Join(parts, "; ")
}

// environment is the processes' environment: the node's, git never
// prompting, and the credentials the node names. cleanup removes the
// files written for them.
func (s *settings) environment() (env []string, cleanup func(), err error) {
	env = append(append([]string{}, s.req.Env...), "GIT_TERMINAL_PROMPT=0")
	var files []string
	cleanup = func() {
		for _, f := range files {
			os.Remove(f)
		}
	}
	base := s.req.TempDir
	if base == "" {
		base = os.TempDir()
	}
	prefix := filepath.Join(base, fmt.Sprintf("git-%s-%d", s.req.NodeID, s.req.Attempt))
	if pw := s.str("password", "token"); pw != "" {
		script := prefix + ".askpass"
		if err := os.WriteFile(script, []byte(askpass), 0o700); err != nil {
			return nil, cleanup, executor.Errorf(run.CodeUnclassified, false, "write the git askpass helper: %v", err)
		}
		files = append(files, script)
		env = append(env, "GIT_ASKPASS="+script, "SSH_ASKPASS_REQUIRE=never",
			"OSOP_GIT_USERNAME="+firstOf(s.str("username", "user"), "x-access-token"), "OSOP_GIT_PASSWORD="+pw)
	}
	if key := s.str("ssh_key"); key != "" {
		file := prefix + ".key"
		if !strings.HasSuffix(key, "\n") {
			key += "\n"
		}
		if err := os.WriteFile(file, []byte(key), 0o600); err != nil {
			return nil, cleanup, executor.Errorf(run.CodeUnclassified, false, "write the ssh key file: %v", err)
		}
		files = append(files, file)
		env = append(env, "GIT_SSH_COMMAND=ssh -i '"+file+"' -o IdentitiesOnly=yes -o BatchMode=yes")
	}
	if s.err != nil {
		return nil, cleanup, s.err
	}
	return env, cleanup, nil
}
