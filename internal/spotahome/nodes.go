package spotahome

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Helpers over yaml.v3 nodes: converting the node tree rather than decoded structs keeps the
// user's key order and comments, and lets each change carry its own comment.

func documentRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	return root
}

// entry returns the key and value nodes of key in mapping m, or nils.
func entry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// mapping is the mapping under key, or nil.
func mapping(m *yaml.Node, key string) *yaml.Node {
	_, v := entry(m, key)
	if v == nil || v.Kind != yaml.MappingNode {
		return nil
	}
	return v
}

// scalar is the scalar value under key, or "".
func scalar(m *yaml.Node, key string) string {
	_, v := entry(m, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// remove deletes key from m and returns its value node (nil if absent).
func remove(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return v
		}
	}
	return nil
}

// set puts value under key, replacing an existing value, and returns the key node.
func set(m *yaml.Node, key string, value *yaml.Node) *yaml.Node {
	if k, v := entry(m, key); k != nil {
		*v = *value
		return k
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	m.Content = append(m.Content, k, value)
	return k
}

// child is the mapping under key, created empty when absent; with the key node.
func child(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if k, v := entry(m, key); k != nil && v.Kind == yaml.MappingNode {
		return k, v
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	return set(m, key, v), v
}

func intNode(v int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// note adds a comment line above key node k.
func note(k *yaml.Node, lines ...string) {
	for _, l := range lines {
		if k.HeadComment != "" {
			k.HeadComment += "\n"
		}
		k.HeadComment += "# " + strings.TrimSpace(l)
	}
}
