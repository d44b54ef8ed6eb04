package cli

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/format"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/risk"
	"github.com/osopdev/osop/internal/schema"
	"github.com/osopdev/osop/internal/validate"
)

func newSchemaCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "schema [osop|core|full|osoplog|osoplog-read|sop]",
		Short: "Print an embedded JSON Schema",
		Long: `Print one of the JSON Schemas osop validates with (default: osop, every
dialect), as written (YAML) or as JSON with --json, for editors and other
validators.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			src, err := schemaSource(name, asJSON)
			if err != nil {
				return err
			}
			_, err = f.IO.Out.Write(src)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of the YAML source")
	return cmd
}

func newRulesCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List the diagnostic and risk rule ids osop reports",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var b strings.Builder
			for _, id := range ruleIDs() {
				b.WriteString(id + strings.Repeat(" ", max(22-len(id), 1)) + validate.Rules[id] + "\n")
			}
			b.WriteString("\nrisk rules (osop risk, and the check before osop run):\n")
			for _, id := range slices.Sorted(maps.Keys(risk.Rules)) {
				b.WriteString(id + strings.Repeat(" ", max(22-len(id), 1)) + risk.Rules[id] + "\n")
			}
			_, err := f.IO.Out.Write([]byte(b.String()))
			return err
		},
	}
}

// schemaSource is an embedded schema by name ("" for the default), as
// YAML or JSON; osop schema and the MCP schema tool both use it.
func schemaSource(name string, asJSON bool) ([]byte, error) {
	p := schema.Default
	if name != "" {
		p = schema.Profile(name)
	}
	src, err := schema.Source(p)
	if err != nil {
		return nil, exitf(ExitUsage, "unknown schema %q: want osop, core, full, osoplog, osoplog-read or sop", p)
	}
	if asJSON {
		root, _ := parse.Tree(string(p), src, parse.DefaultLimits)
		return format.JSON(root)
	}
	return src, nil
}

// ruleIDs are the diagnostic rule ids, sorted.
func ruleIDs() []string {
	ids := make([]string, 0, len(validate.Rules))
	for id := range validate.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
