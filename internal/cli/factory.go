package cli

import (
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/parse"
)

// Factory supplies what commands need, lazily, so tests can swap parts.
type Factory struct {
	IO     *IOStreams
	Limits parse.Limits
	reg    *executor.Registry
}

func newFactory(io *IOStreams) *Factory {
	return &Factory{IO: io, Limits: parse.DefaultLimits}
}
