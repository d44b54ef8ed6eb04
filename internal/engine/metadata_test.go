package engine

import (
	"maps"
	"slices"
	"testing"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/validate"
)

// TestMetadataKeys holds the engine to the ${metadata.x} keys the
// validator accepts: a key one knows and the other lacks is either a false
// warning or a reference that fails at run time.
func TestMetadataKeys(t *testing.T) {
	d := &driver{w: &ast.Workflow{}}
	got := slices.Sorted(maps.Keys(d.metadata(&job{node: &ast.Node{}}, 1)))
	want := slices.Sorted(slices.Values(validate.MetadataKeys))
	if !slices.Equal(got, want) {
		t.Errorf("engine metadata keys %v\nvalidator knows      %v", got, want)
	}
}
