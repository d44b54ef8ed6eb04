package engine

import (
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// shellExpanders returns a request's PrepareShell and ExpandShell for one
// attempt of a node: template values go to the shell in its environment,
// never in the command's text; with runtime.raw, as they are.
func (d *driver) shellExpanders(j *job, attempt int, raw bool, expand func(string) (string, error)) (
	func(string, string) (executor.ShellCommand, error), func(string) (string, error)) {
	if raw {
		return func(cmd, _ string) (executor.ShellCommand, error) {
			v, err := expand(cmd)
			return executor.ShellCommand{Script: v}, err
		}, expand
	}
	prepare := func(cmd, shell string) (*template.ShellCommand, error) {
		opts := template.ShellOptions{Shell: shell, StandIns: d.planning}
		c, missing, err := template.Shell(cmd, opts, d.resolver(j, attempt, true))
		if merr := d.missing(j, missing, true); merr != nil {
			return nil, merr
		}
		if err != nil {
			return nil, executor.Errorf(run.CodeConfig, false, "runtime.command: %w", err) // the caller names the node
		}
		return c, nil
	}
	return func(cmd, shell string) (executor.ShellCommand, error) {
			c, err := prepare(cmd, shell)
			if err != nil {
				return executor.ShellCommand{}, err
			}
			return executor.ShellCommand{Script: c.Script, Env: c.Env()}, nil
		}, func(cmd string) (string, error) {
			c, err := prepare(cmd, "")
			if err != nil {
				return "", err
			}
			return c.Inline(), nil
		}
}
