// Package picture lays out Graphviz DOT source and draws it as SVG or PNG
// with Graphviz compiled to WebAssembly (goccy/go-graphviz), so no external
// program is needed at run time.
//
// It is the only package that imports go-graphviz.
package picture

import (
	"bytes"
	"context"
	"fmt"

	"github.com/goccy/go-graphviz"
	"github.com/goccy/go-graphviz/gvc"
	"golang.org/x/image/font"
)

// SVG lays out dot and returns it as an SVG document.
func SVG(ctx context.Context, dot string) ([]byte, error) {
	return render(ctx, dot, graphviz.SVG)
}

// PNG lays out dot and returns it as a PNG image.
func PNG(ctx context.Context, dot string) ([]byte, error) {
	return render(ctx, dot, graphviz.PNG)
}

func render(ctx context.Context, dot string, format graphviz.Format) ([]byte, error) {
	plugin, err := gvc.NewRenderPlugin(ctx, "png", &pngEngine{faces: map[float64]font.Face{}})
	if err != nil {
		return nil, fmt.Errorf("png engine: %w", err)
	}
	device, err := gvc.PNGDevicePlugin(ctx)
	if err != nil {
		return nil, fmt.Errorf("png device: %w", err)
	}
	gv, err := graphviz.NewWithPlugins(ctx, plugin, device)
	if err != nil {
		return nil, fmt.Errorf("start graphviz: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("parse dot: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, format, &buf); err != nil {
		return nil, fmt.Errorf("draw %s: %w", format, err)
	}
	return buf.Bytes(), nil
}
