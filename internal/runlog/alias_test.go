package runlog

import "github.com/osopdev/osop/internal/ast"

type astDocument = ast.Document
