package infra

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
)

type kustomize struct{}

var kustomizeActions = []string{"edit set image", "build"}

func (kustomize) check(rt map[string]any, action string) []executor.Problem {
	switch action {
	case "edit set image":
		if s, _ := rt["image"].(string); s == "" {
			return problem("runtime", "kustomize edit set image needs runtime.image", `write image: "app=registry/app:tag"`)
		}
	case "build":
	default:
		return unknownAction("kustomize", action, kustomizeActions)
	}
	return nil
}

func (kustomize) describe(s *settings, action string) (string, error) {
	overlay := s.str("overlay")
	if overlay == "" {
		overlay = "."
	}
	switch action {
	case "edit set image":
		img := s.str("image")
		return fmt.Sprintf("edit %s: set image %s; then render it (kubectl kustomize %s)", kustomizationName(overlay), img, overlay), s.err
	case "build":
		return "kubectl kustomize " + overlay, s.err
	}
	return "", executor.Errorf(run.CodeConfig, false, "kustomize cannot %q", action)
}

func (kustomize) execute(ctx context.Context, s *settings, action string) (map[string]any, error) {
	overlay := s.path(s.str("overlay"))
	if overlay == "" {
		overlay = s.req.Workdir
	}
	out := map[string]any{}
	if action == "edit set image" {
		spec := s.str("image")
		if s.err != nil {
			return nil, s.err
		}
		file, img, err := setImage(overlay, spec)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(s.req.Stderr, "%s: image %s → %s\n", file, img.Name, img.String())
		out["kustomization"] = file
		out["image"] = img.String()
	}
	rendered, err := render(ctx, s, overlay)
	if err != nil {
		return nil, err
	}
	return named(s.req, "rendered_manifests", rendered, out), nil
}

func kustomizationName(dir string) string {
	for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return filepath.Join(dir, n)
		}
	}
	return filepath.Join(dir, "kustomization.yaml")
}

// image is a kustomization images entry.
type image struct {
	Name, NewName, NewTag, Digest string
}

func (i image) String() string {
	s := i.NewName
	if s == "" {
		s = i.Name
	}
	if i.Digest != "" {
		return s + "@" + i.Digest
	}
	if i.NewTag != "" {
		return s + ":" + i.NewTag
	}
	return s
}

// parseImage reads kustomize's forms: NAME=NEWIMAGE[:TAG|@DIGEST],
// NAME:TAG, NAME@DIGEST.
func parseImage(spec string) (image, error) {
	name, target, hasNew := strings.Cut(strings.TrimSpace(spec), "=")
	var img image
	if !hasNew {
		target = name
	}
	ref := target
	if r, d, ok := strings.Cut(ref, "@"); ok {
		ref, img.Digest = r, d
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref, img.NewTag = ref[:i], ref[i+1:]
	}
	if hasNew {
		img.Name = strings.TrimSpace(name)
		if ref != img.Name {
			img.NewName = ref
		}
	} else {
		img.Name = ref
	}
	if img.Name == "" || ref == "" {
		return img, executor.Errorf(run.CodeConfig, false, "image %q: write NAME=NEWIMAGE[:TAG|@DIGEST], NAME:TAG or NAME@DIGEST", spec)
	}
	return img, nil
}

// setImage edits the overlay's kustomization in place: it sets (or adds)
// the images entry for the image's name, keeping everything else, comments
// included, as written.
func setImage(dir, spec string) (string, image, error) {
	img, err := parseImage(spec)
	if err != nil {
		return "", img, err
	}
	file := kustomizationName(dir)
	src, err := os.ReadFile(file)
	if err != nil {
		return file, img, executor.Errorf(run.CodeConfig, false, "kustomize overlay %s: %v", dir, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return file, img, executor.Errorf(run.CodeConfig, false, "%s is not a kustomization map: %v", file, err)
	}
	root := doc.Content[0]
	images := mapValue(root, "images")
	if images == nil {
		images = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, scalar("images"), images)
	}
	var entry *yaml.Node
	for _, it := range images.Content {
		if n := mapValue(it, "name"); n != nil && n.Value == img.Name {
			entry = it
		}
	}
	if entry == nil {
		entry = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("name"), scalar(img.Name)}}
		images.Content = append(images.Content, entry)
	}
	// kustomize writes images in block style; so does osop, even when the
	// file started with images: [].
	images.Style &^= yaml.FlowStyle
	entry.Style &^= yaml.FlowStyle
	setKey(entry, "newName", img.NewName)
	setKey(entry, "newTag", img.NewTag)
	setKey(entry, "digest", img.Digest)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return file, img, fmt.Errorf("%s: %w", file, err)
	}
	if err := enc.Close(); err != nil {
		return file, img, fmt.Errorf("%s: %w", file, err)
	}
	return file, img, writeFile(file, buf.Bytes())
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setKey sets key to value in a mapping, removing it when value is empty.
func setKey(m *yaml.Node, key, value string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if value == "" {
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
				return
			}
			m.Content[i+1].Value, m.Content[i+1].Tag, m.Content[i+1].Style = value, "!!str", 0
			return
		}
	}
	if value != "" {
		m.Content = append(m.Content, scalar(key), scalar(value))
	}
}

// writeFile replaces a file atomically, keeping its mode: a reader (or a
// crash) never sees half a kustomization.
func writeFile(path string, data []byte) error {
	return renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(filepath.Dir(path)))
}

// render builds the overlay with kubectl's built-in kustomize (or the
// kustomize binary) and keeps the result beside the run's record.
func render(ctx context.Context, s *settings, overlay string) (map[string]any, error) {
	var argv []string
	switch {
	case has("kubectl"):
		argv = []string{"kubectl", "kustomize", overlay}
	case has("kustomize"):
		argv = []string{"kustomize", "build", overlay}
	default:
		return nil, executor.Errorf(run.CodeConfig, false, "rendering %s needs kubectl (kubectl kustomize) or kustomize on PATH", overlay)
	}
	yamlOut, err := proc.Tool{Req: s.req, Quiet: true}.Output(ctx, nil, argv...)
	if err != nil {
		return nil, err
	}
	dir, err := s.artifactDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "manifests.yaml")
	if err := writeFile(path, []byte(yamlOut)); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(yamlOut))
	return map[string]any{"path": path, "sha256": hex.EncodeToString(sum[:]), "bytes": int64(len(yamlOut)),
		"documents": int64(strings.Count("\n"+yamlOut, "\n---\n") + 1)}, nil
}

func has(prog string) bool {
	_, err := exec.LookPath(prog)
	return err == nil
}
