package parse

import (
	"errors"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
)

// syntaxPosition finds where a YAML syntax error is. go.yaml.in/yaml/v3
// reports the line where the enclosing block began, which is often far from
// the mistake; goccy/go-yaml reports the offending token. It is asked only
// after yaml/v3 has failed, and its answer is used only when it fails too.
func syntaxPosition(src []byte) (line, col int, msg string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := goccyparser.ParseBytes(src, 0)
	var se *goccy.SyntaxError
	if !errors.As(err, &se) || se.Token == nil || se.Token.Position == nil {
		return 0, 0, "", false
	}
	return se.Token.Position.Line, se.Token.Position.Column, se.Message, true
}
