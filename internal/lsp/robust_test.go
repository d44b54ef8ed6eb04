package lsp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
	"github.com/osopdev/osop/internal/validate"
)

// Every request at every position of every corpus file answers without
// panicking: a language server sees every half-typed state of a file.
func TestRequests_noPanicAnywhere(t *testing.T) {
	t.Parallel()
	check := func(file string, src []byte) (*ast.Document, diag.Diagnostics) {
		doc, ds := parse.Bytes(file, src, parse.DefaultLimits)
		return doc, append(ds, validate.Document(doc, validate.Options{})...)
	}
	var files []string
	for _, sub := range []string{"corpus", "seed"} {
		files = append(files, shared.Files(t, shared.Dir(t, sub), parse.Extensions...)...)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// The file as written, and cut short half-way (a broken document).
		for _, text := range [][]byte{src, src[:len(src)/2]} {
			s := &server{opts: Options{Check: check}, docs: map[string]*document{}}
			uri := "file://" + filepath.ToSlash(file)
			s.docs[uri] = &document{uri: uri, file: file, src: text, version: 1}
			tx := newText(text)
			// Every line of small files; a sample of the lines of the larger
			// (each completion parses the whole file once).
			step := max(1, len(tx.lines)/30)
			for line := 0; line <= len(tx.lines); line += step {
				n := utf16Count(string(tx.line(line)))
				for _, col := range []int{0, n / 2, n + 3} {
					ask(t, s, uri, Position{Line: line, Character: col})
				}
			}
		}
	}
}

func ask(t *testing.T, s *server, uri string, p Position) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s at %+v: panic: %v", uri, p, r)
		}
	}()
	pp := positionParams{TextDocument: textDocumentIdentifier{URI: uri}, Position: p}
	_, _ = s.completion(pp)
	_, _ = s.hover(pp)
	_, _ = s.definition(pp)
	_, _ = s.references(referenceParams{positionParams: pp})
	_, _ = s.prepareRename(pp)
	_, _ = s.rename(renameParams{positionParams: pp, NewName: "renamed"})
	_, _ = s.codeActions(codeActionParams{TextDocument: pp.TextDocument, Range: Range{Start: p, End: p}})
	if p.Line == 0 && p.Character == 0 {
		_, _ = s.symbols(symbolParams{TextDocument: pp.TextDocument})
	}
}
