package docs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// TestNetworkPolicyExampleParses decodes docs/security.md's NetworkPolicy example strictly (an
// unknown or misspelt field fails) into the Kubernetes types, and checks the fields the text
// promises: the two policies select the Redis and the sentinel pods and open their ports.
func TestNetworkPolicyExampleParses(t *testing.T) {
	blocks, err := Blocks("../../docs/security.md", "yaml", "networkpolicy")
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 {
		t.Fatalf("%d networkpolicy blocks in docs/security.md, want 1", len(blocks))
	}
	ports := map[string][]int32{}
	r := utilyaml.NewYAMLReader(bufioReader(blocks[0].Body))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var np networkingv1.NetworkPolicy
		if err := yaml.UnmarshalStrict(doc, &np); err != nil {
			t.Fatalf("docs/security.md:%d: %v", blocks[0].Line, err)
		}
		if np.Kind != "NetworkPolicy" || np.APIVersion != "networking.k8s.io/v1" {
			t.Errorf("%s: kind %q apiVersion %q", np.Name, np.Kind, np.APIVersion)
		}
		if errs := validation.IsDNS1123Subdomain(np.Name); len(errs) > 0 {
			t.Errorf("name %q: %v", np.Name, errs)
		}
		comp := np.Spec.PodSelector.MatchLabels["app.kubernetes.io/component"]
		for _, in := range np.Spec.Ingress {
			if len(in.From) == 0 {
				t.Errorf("%s: an ingress rule without from opens the port to everyone", np.Name)
			}
			for _, p := range in.Ports {
				ports[comp] = append(ports[comp], p.Port.IntVal)
			}
		}
	}
	want := map[string][]int32{"redis": {6379, 9121}, "sentinel": {26379, 9355}}
	for comp, w := range want {
		if got := ports[comp]; len(got) != len(w) || got[0] != w[0] || got[1] != w[1] {
			t.Errorf("policy for %s pods opens %v, want %v", comp, got, w)
		}
	}
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(bytes.NewBufferString(s)) }
