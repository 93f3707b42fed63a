// Package config_test builds config/default with `kubectl kustomize` (the real kubectl, no
// cluster) and checks that it alone is a complete install: the CRD, RBAC and a runnable operator.
package config_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/failover-dev/redis-failover-operator/test/toolbin"
)

func build(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	cmd := exec.Command(toolbin.Path(t, "KUBECTL", "kubectl", "kubernetes"), "kustomize", dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(&stdout, 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("decoding kubectl kustomize %s: %v", dir, err)
		}
		if m != nil {
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
}

func TestDefaultInstallsTheCRDAndAWorkingOperator(t *testing.T) {
	objs := build(t, "default")
	byKind := map[string][]*unstructured.Unstructured{}
	for _, o := range objs {
		byKind[o.GetKind()] = append(byKind[o.GetKind()], o)
	}
	for _, k := range []string{"CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service"} {
		if len(byKind[k]) != 1 {
			t.Errorf("config/default has %d %s, want 1", len(byKind[k]), k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// The CRD is the generated one, unchanged.
	b, err := os.ReadFile(filepath.Join("crd", "bases", "redis.failover.dev_redisfailovers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var generated map[string]any
	if err := yaml.Unmarshal(b, &generated); err != nil {
		t.Fatal(err)
	}
	gotCRD, _ := yaml.Marshal(byKind["CustomResourceDefinition"][0].Object)
	wantCRD, _ := yaml.Marshal(generated)
	if !bytes.Equal(gotCRD, wantCRD) {
		t.Errorf("the CRD in config/default differs from config/crd/bases (make manifests)")
	}

	ns := byKind["Namespace"][0].GetName()
	sa := byKind["ServiceAccount"][0]
	d := byKind["Deployment"][0]
	for _, o := range []*unstructured.Unstructured{sa, d, byKind["Role"][0], byKind["RoleBinding"][0], byKind["Service"][0]} {
		if o.GetNamespace() != ns {
			t.Errorf("%s %s is in namespace %q, want the operator's namespace %q", o.GetKind(), o.GetName(), o.GetNamespace(), ns)
		}
	}
	// The operator runs as the ServiceAccount the ClusterRoleBinding grants the ClusterRole to.
	if got, _, _ := unstructured.NestedString(d.Object, "spec", "template", "spec", "serviceAccountName"); got != sa.GetName() {
		t.Errorf("Deployment runs as ServiceAccount %q, want %q", got, sa.GetName())
	}
	crb := byKind["ClusterRoleBinding"][0]
	if ref, _, _ := unstructured.NestedString(crb.Object, "roleRef", "name"); ref != byKind["ClusterRole"][0].GetName() {
		t.Errorf("ClusterRoleBinding refers to ClusterRole %q, not %q", ref, byKind["ClusterRole"][0].GetName())
	}
	subjects, _, _ := unstructured.NestedSlice(crb.Object, "subjects")
	if len(subjects) != 1 || subjects[0].(map[string]any)["name"] != sa.GetName() || subjects[0].(map[string]any)["namespace"] != ns {
		t.Errorf("ClusterRoleBinding subjects = %v, want ServiceAccount %s/%s", subjects, ns, sa.GetName())
	}

	// The operator needs its own image for the sentinels (--sentinel-image or OPERATOR_IMAGE).
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	var manager map[string]any
	for _, c := range cs {
		if c.(map[string]any)["name"] == "manager" {
			manager = c.(map[string]any)
		}
	}
	if manager == nil {
		t.Fatalf("the Deployment has no manager container")
	}
	image, _ := manager["image"].(string)
	env, _, _ := unstructured.NestedSlice(manager, "env")
	var operatorImage string
	for _, e := range env {
		if e.(map[string]any)["name"] == "OPERATOR_IMAGE" {
			operatorImage, _ = e.(map[string]any)["value"].(string)
		}
	}
	if image == "" || operatorImage != image {
		t.Errorf("OPERATOR_IMAGE = %q, the manager's image = %q: the sentinels must run the operator's image", operatorImage, image)
	}
	args, _, _ := unstructured.NestedStringSlice(manager, "args")
	if len(args) == 0 || args[0] != "operator" {
		t.Errorf("manager args = %v, want the operator subcommand first", args)
	}
	sc, _, _ := unstructured.NestedMap(manager, "securityContext")
	drop, _, _ := unstructured.NestedStringSlice(sc, "capabilities", "drop")
	if sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false || !slices.Equal(drop, []string{"ALL"}) {
		t.Errorf("manager securityContext = %v, want read-only, no privilege escalation, capabilities dropped", sc)
	}
	if nsLabels := byKind["Namespace"][0].GetLabels(); nsLabels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("operator Namespace labels = %v, want pod-security.kubernetes.io/enforce=restricted", nsLabels)
	}
}
