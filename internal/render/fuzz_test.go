package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/layered"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/render/picture"
)

// FuzzPicture draws whatever workflow can be read from the input: no
// input may panic, and the SVG is always well-formed XML.
func FuzzPicture(f *testing.F) {
	f.Add([]byte("osop_version: \"2.0\"\nid: a\nnodes:\n  - {id: a, type: cli}\n  - {id: b, type: gateway, name: \"<&>\"}\nedges:\n  - {from: a, to: b, mode: conditional, when: \"x > 1\"}\n  - {from: b, to: a, mode: loop}\n  - {from: b, to: b, mode: loop}\n"))
	f.Add([]byte("id: x\nnodes: []\n"))
	f.Add([]byte("id: s\nnodes:\n  - {id: s, type: gateway}\n  - {id: t, type: db}\nedges:\n  - {from: s, mode: switch, cases: [{when: a, to: t}, {when: b, to: t}], default_to: s}\n"))
	fonts := picture.EmbeddedFonts()
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, _ := parse.Bytes("f.osop.yaml", src, parse.DefaultLimits)
		if doc == nil || doc.Workflow == nil || len(doc.Workflow.Nodes) > 200 {
			return
		}
		w := doc.Workflow
		svg, err := SVG(w, graph.New(w), fonts)
		var tooLarge *layered.TooLargeError
		if errors.As(err, &tooLarge) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(svg))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
		}
	})
}
