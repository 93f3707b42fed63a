package render

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// The schema refuses owned directives with CEL rules; render refuses them again with Go maps.
// This test reads the generated CRD and checks that both name the same directives, so that
// adding one to either place without the other fails here.
func TestCRDRulesAndRenderAgreeOnOwnedDirectives(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "crd", "bases", "redis.failover.dev_redisfailovers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(data, crd); err != nil {
		t.Fatal(err)
	}
	spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	items := func(section string) apiextensionsv1.JSONSchemaProps {
		return *spec.Properties[section].Properties["customConfig"].Items.Schema
	}

	// Rules of the form !self.matches('^(a|b|c) ') list directives the schema refuses.
	refused := regexp.MustCompile(`^!self\.matches\('\^\(([a-z|-]+)\) '\)$`)
	directives := func(schema apiextensionsv1.JSONSchemaProps) []string {
		var out []string
		for _, rule := range schema.XValidations {
			if m := refused.FindStringSubmatch(rule.Rule); m != nil {
				out = append(out, strings.Split(m[1], "|")...)
			}
		}
		slices.Sort(out)
		return out
	}

	if got, want := directives(items("redis")), slices.Sorted(maps.Keys(ownedRedisDirectives)); !slices.Equal(got, want) {
		t.Errorf("spec.redis.customConfig: CRD refuses %v, render refuses %v", got, want)
	}
	if got, want := directives(items("sentinel")), slices.Sorted(maps.Keys(ownedSentinelOptions)); !slices.Equal(got, want) {
		t.Errorf("spec.sentinel.customConfig: CRD refuses %v, render refuses %v", got, want)
	}

	// spec.redis.command's "--directive" arguments: the same directives, except protected-mode,
	// whose "--protected-mode no" (spotahome's examples) is what the operator sets anyway and
	// commandConfigLines checks.
	commandRule := regexp.MustCompile(`^!self\.matches\('\^--\(([a-z|-]+)\)\$'\)$`)
	var commandRefused []string
	for _, rule := range spec.Properties["redis"].Properties["command"].Items.Schema.XValidations {
		if m := commandRule.FindStringSubmatch(rule.Rule); m != nil {
			commandRefused = append(commandRefused, strings.Split(m[1], "|")...)
		}
	}
	slices.Sort(commandRefused)
	wantCommand := slices.DeleteFunc(slices.Sorted(maps.Keys(ownedRedisDirectives)), func(d string) bool { return d == "protected-mode" })
	if !slices.Equal(commandRefused, wantCommand) {
		t.Errorf("spec.redis.command: CRD refuses %v, render refuses %v", commandRefused, wantCommand)
	}

	// And the sentinel allow-list: owned options plus the supported ones.
	allowed := regexp.MustCompile(`^self\.matches\('\^\(([a-z|-]+)\) '\)$`)
	var got []string
	for _, rule := range items("sentinel").XValidations {
		if m := allowed.FindStringSubmatch(rule.Rule); m != nil {
			got = append(got, strings.Split(m[1], "|")...)
		}
	}
	slices.Sort(got)
	want := slices.Sorted(maps.Keys(ownedSentinelOptions))
	want = append(want, slices.Collect(maps.Keys(supportedSentinelOptions))...)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("spec.sentinel.customConfig allow-list: CRD %v, render %v", got, want)
	}
}
