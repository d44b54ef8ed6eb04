package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
)

// loadWorkflow reads a workflow file for commands that need one (render,
// run). A file that cannot be read, does not parse, or is of another kind
// is exit code 2; load errors are printed first.
func loadWorkflow(io *IOStreams, lim parse.Limits, name string) (*ast.Document, diag.Diagnostics, error) {
	doc, ds, err := parse.File(name, lim)
	if err != nil {
		return nil, nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return checkWorkflow(io, doc, ds, name)
}

// checkWorkflow makes sure a loaded document is a workflow, printing why
// not (the MCP render tool loads text, not files, and uses it too).
func checkWorkflow(io *IOStreams, doc *ast.Document, ds diag.Diagnostics, name string) (*ast.Document, diag.Diagnostics, error) {
	if doc.Root == nil || doc.Root.Kind != ast.Map {
		printDiags(io, doc, ds.Filter(diag.Error))
		return nil, nil, exitf(ExitUsage, "%s: cannot load the workflow", name)
	}
	if doc.Kind != ast.KindWorkflow {
		return nil, nil, exitf(ExitUsage, "%s is %s, not a workflow", name, kindPhrase(doc.Kind))
	}
	return doc, ds, nil
}

// addLimitFlags gives a command that reads workflows --max-file-size.
func addLimitFlags(cmd *cobra.Command, lim *parse.Limits) {
	cmd.Flags().Var(byteSize{&lim.MaxBytes}, "max-file-size", "largest file accepted: bytes, or with a unit (2MiB, 512KiB, 2MB)")
}

func kindPhrase(k ast.FileKind) string {
	if k == ast.KindLog {
		return "an execution record (.osoplog)"
	}
	return "a SOP document (.sop)"
}

func printDiags(io *IOStreams, doc *ast.Document, ds diag.Diagnostics) {
	_ = diag.WriteText(io.ErrOut, ds, diag.TextOptions{Sources: map[string][]byte{doc.File: doc.Source}, Color: io.Color})
}

// writeOutput writes data to path, or to stdout when path is "" or "-".
func writeOutput(io *IOStreams, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := io.Out.Write(data)
		return err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return exitf(ExitUsage, "write %s: %v", path, err)
	}
	return nil
}

// writeFileAtomic replaces path with data through a temporary file beside
// it (fsync, rename), keeping an existing file's mode: a reader never sees
// half a file, and a failed write leaves the old one.
// Its errors name no temporary file, which the user never asked for: the
// caller names path.
func writeFileAtomic(path string, data []byte) error {
	err := renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(filepath.Dir(path)))
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if _, serr := os.Stat(filepath.Dir(path)); errors.Is(serr, fs.ErrNotExist) {
			return fmt.Errorf("the directory %s does not exist", filepath.Dir(path))
		}
		return pe.Err
	}
	return err
}
