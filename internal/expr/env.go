package expr

import (
	"fmt"
	"sort"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// Names of the context variables every expression may use.
const (
	VarInputs   = "inputs"
	VarOutputs  = "outputs"
	VarEnv      = "env"
	VarMetadata = "metadata"
	VarSecrets  = "secrets"
	VarEvent    = "event"
	VarLoop     = "loop"

	// Hidden variables behind OSOP's functions; the engine fills them.
	VarStatus   = "__status"
	VarError    = "__error"
	VarDuration = "__duration"
	VarAttempt  = "__attempt"
	VarNow      = "__now"
)

// Reserved lists the names a bare identifier may not take.
var Reserved = []string{VarInputs, VarOutputs, VarEnv, VarMetadata, VarSecrets, VarEvent, VarLoop}

// Decl declares a bare identifier: an output name, a workflow input or
// variable, a loop's iterator.
type Decl struct {
	Name string
	// Type is a JSON Schema type name ("string", "integer", …); empty for
	// anything.
	Type string
}

// Env is a CEL environment for one workflow.
type Env struct {
	env      *cel.Env
	bare     map[string]bool
	programs sync.Map // source -> *Program
}

var (
	baseOnce sync.Once
	baseEnv  *cel.Env
	baseErr  error
)

func base() (*cel.Env, error) {
	baseOnce.Do(func() {
		dyn := cel.DynType
		baseEnv, baseErr = cel.NewEnv(
			cel.Variable(VarInputs, cel.MapType(cel.StringType, dyn)),
			cel.Variable(VarOutputs, cel.MapType(cel.StringType, dyn)),
			cel.Variable(VarEnv, cel.MapType(cel.StringType, cel.StringType)),
			cel.Variable(VarMetadata, cel.MapType(cel.StringType, dyn)),
			cel.Variable(VarSecrets, cel.MapType(cel.StringType, cel.BoolType)),
			cel.Variable(VarEvent, dyn),
			cel.Variable(VarLoop, cel.MapType(cel.StringType, dyn)),
			cel.Variable(VarStatus, cel.MapType(cel.StringType, cel.StringType)),
			cel.Variable(VarError, cel.MapType(cel.StringType, cel.StringType)),
			cel.Variable(VarDuration, cel.MapType(cel.StringType, cel.DurationType)),
			cel.Variable(VarAttempt, cel.IntType),
			cel.Variable(VarNow, cel.TimestampType),
			cel.Macros(functionMacros()...),
			// list.contains(x), beside string.contains: the rewrite of
			// `tags contains 'x'` works for lists and strings alike.
			cel.Function("contains", cel.MemberOverload("list_contains_dyn",
				[]*cel.Type{cel.ListType(dyn), dyn}, cel.BoolType, cel.BinaryBinding(listContains))),
			cel.CrossTypeNumericComparisons(true),
			cel.HomogeneousAggregateLiterals(),
		)
	})
	return baseEnv, baseErr
}

// NewEnv returns an environment with decls as bare identifiers. A name
// declared twice with different types becomes dyn.
func NewEnv(decls []Decl) (*Env, error) {
	b, err := base()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	types := map[string]string{}
	for _, d := range decls {
		if t, seen := types[d.Name]; seen && t != d.Type {
			types[d.Name] = ""
			continue
		}
		types[d.Name] = d.Type
	}
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	opts := make([]cel.EnvOption, 0, len(names))
	bare := make(map[string]bool, len(names))
	for _, n := range names {
		if isReserved(n) || !isIdent(n) {
			continue
		}
		bare[n] = true
		opts = append(opts, cel.Variable(n, celType(types[n])))
	}
	env, err := b.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	return &Env{env: env, bare: bare}, nil
}

func isReserved(n string) bool {
	for _, r := range Reserved {
		if r == n {
			return true
		}
	}
	return len(n) > 1 && n[:2] == "__"
}

// IsIdent reports whether n can be a bare identifier of an expression:
// a CEL identifier that no context variable reserves.
func IsIdent(n string) bool { return isIdent(n) && !isReserved(n) }

// isIdent reports whether n can be a CEL identifier.
func isIdent(n string) bool {
	if n == "" || celKeywords[n] {
		return false
	}
	for i, r := range n {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

var celKeywords = map[string]bool{
	"true": true, "false": true, "null": true, "in": true, "as": true, "break": true,
	"const": true, "continue": true, "else": true, "for": true, "function": true, "if": true,
	"import": true, "let": true, "loop": true, "package": true, "namespace": true,
	"return": true, "var": true, "void": true, "while": true,
}

func celType(jsonType string) *cel.Type {
	switch jsonType {
	case "string":
		return cel.StringType
	case "integer":
		return cel.IntType
	case "number":
		return cel.DoubleType
	case "boolean":
		return cel.BoolType
	case "array":
		return cel.ListType(cel.DynType)
	case "object":
		return cel.MapType(cel.StringType, cel.DynType)
	}
	return cel.DynType
}

func listContains(l, x ref.Val) ref.Val {
	c, ok := l.(traits.Container)
	if !ok {
		return types.MaybeNoSuchOverloadErr(l)
	}
	return c.Contains(x)
}
