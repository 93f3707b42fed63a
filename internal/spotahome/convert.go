package spotahome

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// APIVersion is spotahome's RedisFailover API.
const APIVersion = "databases.spotahome.com/v1"

// Options change what Convert writes.
type Options struct {
	// KeepMasterName sets spec.sentinel.masterName: mymaster, spotahome's fixed master name, so
	// that clients asking the sentinels for "mymaster" keep working. Only one RedisFailover per
	// namespace can use a name, and not while spotahome's sentinels still monitor "mymaster".
	KeepMasterName bool
}

// Convert reads YAML documents and writes them back with every spotahome RedisFailover
// converted. Other documents (Namespaces, Secrets, ConfigMaps that spotahome's examples carry
// along) pass through unchanged. It fails when the input holds no spotahome RedisFailover, when
// a RedisFailover has another apiVersion, and when a field cannot be converted; the error
// names the document and the field.
func Convert(in []byte, opts Options) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in))
	var docs []*yaml.Node
	converted := 0
	for n := 1; ; n++ {
		doc := &yaml.Node{}
		err := dec.Decode(doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d is not YAML: %w", n, err)
		}
		root := documentRoot(doc)
		if root == nil {
			continue // an empty document between two "---"
		}
		if root.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("document %d is not a Kubernetes object (a YAML mapping with apiVersion and kind)", n)
		}
		kind, apiVersion := scalar(root, "kind"), scalar(root, "apiVersion")
		if kind == "RedisFailover" {
			if apiVersion != APIVersion {
				return nil, fmt.Errorf("document %d: a RedisFailover of apiVersion %q is not spotahome's %s: %s", n, apiVersion, APIVersion, apiVersionHint(apiVersion))
			}
			c := &conversion{opts: opts}
			if err := c.convert(root); err != nil {
				return nil, fmt.Errorf("document %d (RedisFailover %s): %w", n, scalar(mapping(root, "metadata"), "name"), err)
			}
			if err := checkDecodes(doc); err != nil {
				return nil, fmt.Errorf("document %d (RedisFailover %s): %w", n, scalar(mapping(root, "metadata"), "name"), err)
			}
			converted++
		}
		docs = append(docs, doc)
	}
	if converted == 0 {
		return nil, fmt.Errorf("the input holds no spotahome RedisFailover (apiVersion %s, kind RedisFailover): nothing to convert", APIVersion)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	for _, doc := range docs {
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("writing the converted manifest: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing the converted manifest: %w", err)
	}
	return out.Bytes(), nil
}

func apiVersionHint(apiVersion string) string {
	switch {
	case apiVersion == redisv1alpha1.GroupVersion.String():
		return "it is already this project's RedisFailover; apply it as it is"
	case strings.HasSuffix(apiVersion, ".spotahome.com/v1alpha2"):
		return "that is spotahome's older API, which its own operator converts to v1; convert it to v1 first"
	}
	return "only spotahome's RedisFailover can be converted"
}

// checkDecodes decodes the converted document strictly into this API's types, so that a field
// neither API has (a typo, a field of spotahome's older API) is an error naming it rather than
// something the API server would drop.
func checkDecodes(doc *yaml.Node) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_ = enc.Close()
	data, err := sigsyaml.YAMLToJSON(buf.Bytes())
	if err != nil {
		return err
	}
	rf := &redisv1alpha1.RedisFailover{}
	strict, err := sigsjson.UnmarshalStrict(data, rf)
	if err != nil {
		return fmt.Errorf("does not decode as a RedisFailover: %w", err)
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("%s: neither spotahome's v1 RedisFailover nor this API has it; remove it", strings.Join(msgs, "; "))
	}
	return nil
}
