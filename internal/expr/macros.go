package expr

import (
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/parser"
)

// functionMacros rewrites OSOP's functions into lookups of hidden
// variables: status('build') becomes __status['build'], attempt() becomes
// __attempt. The engine fills the variables for each evaluation; the
// checker types them like any other map.
func functionMacros() []parser.Macro {
	index := func(hidden string) parser.MacroExpander {
		return func(eh parser.ExprHelper, _ ast.Expr, args []ast.Expr) (ast.Expr, *common.Error) {
			return eh.NewCall(operators.Index, eh.NewIdent(hidden), args[0]), nil
		}
	}
	ident := func(hidden string) parser.MacroExpander {
		return func(eh parser.ExprHelper, _ ast.Expr, _ []ast.Expr) (ast.Expr, *common.Error) {
			return eh.NewIdent(hidden), nil
		}
	}
	return []parser.Macro{
		parser.NewGlobalMacro("status", 1, index(VarStatus)),
		parser.NewGlobalMacro("error_of", 1, index(VarError)),
		parser.NewGlobalMacro("duration_of", 1, index(VarDuration)),
		parser.NewGlobalMacro("attempt", 0, ident(VarAttempt)),
		parser.NewGlobalMacro("now", 0, ident(VarNow)),
	}
}

// nodeFunctions maps each hidden map to the function users wrote.
var nodeFunctions = map[string]string{VarStatus: "status", VarError: "error_of", VarDuration: "duration_of"}
