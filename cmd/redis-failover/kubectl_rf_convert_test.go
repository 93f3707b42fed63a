package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func runConvert(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newKubectlPluginCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(append([]string{"convert"}, args...))
	err := cmd.Execute()
	return out.String(), err
}

func TestKubectlRFConvert(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "spotahome-examples", "custom-image.yaml")
	out, err := runConvert(t, "", "-f", file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apiVersion: redis.failover.dev/v1alpha1", "# image: redis:6.0-alpine removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("convert -f %s lacks %q:\n%s", file, want, out)
		}
	}

	spotahome := "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata: {name: from-stdin}\n"
	out, err = runConvert(t, spotahome, "-f", "-", "--keep-master-name")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "name: from-stdin") || !strings.Contains(out, "masterName: mymaster") {
		t.Errorf("convert -f - --keep-master-name:\n%s", out)
	}

	_, err = runConvert(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "-f", "-")
	if err == nil || !strings.Contains(err.Error(), "standard input: the input holds no spotahome RedisFailover") {
		t.Errorf("convert of a ConfigMap: err = %v", err)
	}
	if _, err := runConvert(t, ""); err == nil || !strings.Contains(err.Error(), `"filename" not set`) {
		t.Errorf("convert without -f: err = %v", err)
	}
	if _, err := runConvert(t, "", "-f", "does-not-exist.yaml"); err == nil || !strings.Contains(err.Error(), "reading the manifest") {
		t.Errorf("convert of a missing file: err = %v", err)
	}
}
