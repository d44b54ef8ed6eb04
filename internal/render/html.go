package render

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
)

// HTML renders one self-contained page: the laid-out picture (svg, from
// the picture package) and, on hover or click, each node's purpose,
// runtime, inputs, outputs, limits and where it leads. It loads nothing
// from the network.
func HTML(w *ast.Workflow, g *graph.Graph, svg []byte) (string, error) {
	nodes := map[string]htmlNode{}
	for i, n := range g.Nodes {
		hn := htmlNode{
			ID: n.ID.V, Type: typeLabel(n), Name: n.Name.V, Purpose: n.Purpose.V,
			Description: n.Description.V, Runtime: n.Runtime.Interface(), Limits: limits(n),
		}
		if ex := n.Explain; ex != nil {
			hn.Explain = strings.TrimSpace(strings.Join(nonEmpty(ex.Text, ex.Why, ex.What, ex.Result), "\n"))
		}
		for _, p := range n.Inputs {
			hn.Inputs = append(hn.Inputs, p.Name)
		}
		for _, p := range n.Outputs {
			hn.Outputs = append(hn.Outputs, p.Name)
		}
		for _, a := range g.Out(i) {
			hn.Next = append(hn.Next, htmlEdge{To: g.Nodes[a.To].ID.V, Mode: a.Edge.Mode.V, Label: arcLabel(g, a)})
		}
		nodes["node-"+n.ID.V] = hn
	}
	data := htmlPage{
		Title:       firstNonEmpty(w.Name.V, w.ID.V),
		Meta:        fmt.Sprintf("%s · OSOP %s · %s · %s", w.ID.V, w.Version.V, plural(len(g.Nodes), "node"), plural(len(w.Edges), "edge")),
		Description: w.Description.V,
		SVG:         template.HTML(stripXMLProlog(svg)), // written by picture, which escapes all text
		Nodes:       nodes,
	}
	var buf bytes.Buffer
	if err := pageTemplate().Execute(&buf, data); err != nil {
		return "", fmt.Errorf("html: %w", err)
	}
	return buf.String(), nil
}

type htmlPage struct {
	Title, Meta, Description string
	SVG                      template.HTML
	Nodes                    map[string]htmlNode
}

type htmlNode struct {
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	Name        string     `json:"name,omitempty"`
	Purpose     string     `json:"purpose,omitempty"`
	Description string     `json:"description,omitempty"`
	Explain     string     `json:"explain,omitempty"`
	Inputs      []string   `json:"inputs,omitempty"`
	Outputs     []string   `json:"outputs,omitempty"`
	Runtime     any        `json:"runtime,omitempty"`
	Limits      string     `json:"limits,omitempty"`
	Next        []htmlEdge `json:"next,omitempty"`
}

type htmlEdge struct {
	To    string `json:"to"`
	Mode  string `json:"mode"`
	Label string `json:"label,omitempty"`
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// stripXMLProlog drops the XML declaration and DOCTYPE, which are not
// allowed inside an HTML document.
func stripXMLProlog(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		return svg[i:]
	}
	return svg
}

// pageTemplate is parsed on first use, not at start-up: most osop
// commands never write a page.
var pageTemplate = sync.OnceValue(func() *template.Template { return template.Must(template.New("page").Parse(pageSource)) })

const pageSource = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="osop">
<title>{{.Title}}</title>
<style>
  :root { --fg:#1f2933; --muted:#616e7c; --line:#e4e7eb; --accent:#1e88e5; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); }
  header { padding:16px 24px; border-bottom:1px solid var(--line); }
  header h1 { margin:0; font-size:20px; }
  header p { margin:4px 0 0; color:var(--muted); }
  main { display:flex; min-height:calc(100vh - 80px); }
  #graph { flex:1; overflow:auto; padding:16px; }
  #graph svg { max-width:100%; height:auto; }
  #graph g.node { cursor:pointer; }
  #graph g.node.selected polygon, #graph g.node.selected ellipse, #graph g.node.selected path { stroke:var(--accent); stroke-width:3; }
  aside { width:380px; border-left:1px solid var(--line); padding:16px 20px; overflow:auto; background:#fafbfc; }
  aside h2 { margin:0 0 4px; font-size:17px; word-break:break-all; }
  aside .type { color:var(--muted); margin-bottom:12px; }
  aside dt { font-weight:600; margin-top:10px; }
  aside dd { margin:2px 0 0; white-space:pre-wrap; }
  aside pre { background:#fff; border:1px solid var(--line); padding:8px; overflow:auto; font-size:12px; }
  .hint { color:var(--muted); }
  @media (max-width: 800px) { main { flex-direction:column; } aside { width:auto; border-left:0; border-top:1px solid var(--line); } }
</style>
</head>
<body>
<header>
  <h1>{{.Title}}</h1>
  <p>{{.Meta}}</p>
  {{if .Description}}<p>{{.Description}}</p>{{end}}
</header>
<main>
  <section id="graph">{{.SVG}}</section>
  <aside id="details"><p class="hint">Hover over a step for its purpose; click it for everything it does.</p></aside>
</main>
<script>
"use strict";
const nodes = {{.Nodes}};
const panel = document.getElementById("details");
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
function field(dl, name, value) {
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) return;
  dl.appendChild(el("dt", name));
  const dd = el("dd");
  if (typeof value === "object" && !Array.isArray(value)) { dd.appendChild(el("pre", JSON.stringify(value, null, 2))); }
  else { dd.textContent = Array.isArray(value) ? value.join(", ") : String(value); }
  dl.appendChild(dd);
}
function show(key) {
  const n = nodes[key];
  if (!n) return;
  document.querySelectorAll("#graph g.node.selected").forEach(g => g.classList.remove("selected"));
  const g = document.getElementById(key);
  if (g) g.classList.add("selected");
  panel.replaceChildren(el("h2", n.id), el("div", n.type, "type"));
  const dl = el("dl");
  field(dl, "Name", n.name); field(dl, "Purpose", n.purpose); field(dl, "Description", n.description);
  field(dl, "Why", n.explain); field(dl, "Receives", n.inputs); field(dl, "Produces", n.outputs);
  field(dl, "Runtime", n.runtime); field(dl, "Limits", n.limits);
  field(dl, "Next", (n.next || []).map(e => e.to + (e.label ? " (" + e.label + ")" : "")));
  panel.appendChild(dl);
}
document.querySelectorAll("#graph g.node").forEach(g => {
  g.addEventListener("click", () => show(g.id));
  const n = nodes[g.id];
  if (n) { const t = document.createElementNS("http://www.w3.org/2000/svg", "title"); t.textContent = n.id + ": " + (n.purpose || n.name || n.type); g.prepend(t); }
});
</script>
</body>
</html>
`
