//go:build envtest

package v1alpha1_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/spotahome"
)

const spotahomeExamples = "../../testdata/spotahome-examples"

// redisFailovers returns the RedisFailover documents of a YAML stream.
func redisFailovers(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc["kind"] == "RedisFailover" {
			out = append(out, &unstructured.Unstructured{Object: doc})
		}
	}
	return out
}

// The promise to spotahome users, tried with each of spotahome's 25 example shapes: the manifest
// with only its apiVersion changed is accepted by the API server (strict field validation, so no
// field is silently dropped), or refused with the message docs/migrating-from-spotahome.md gives.
// What kubectl rf convert prints for the accepted ones is accepted as well.
func TestSpotahomeExamplesWithOnlyTheAPIVersionChanged(t *testing.T) {
	refused := map[string]string{
		"bootstrapping.yaml":                "spec.bootstrapNode (make the nodes replicas of a master outside this RedisFailover) is not supported yet",
		"bootstrapping-with-port.yaml":      "spec.bootstrapNode (make the nodes replicas of a master outside this RedisFailover) is not supported yet",
		"bootstrapping-with-sentinels.yaml": "spec.bootstrapNode (make the nodes replicas of a master outside this RedisFailover) is not supported yet",
	}
	// A field of each example, read back from the API server, where spotahome's meaning needs
	// this API's defaulting or mapping to hold.
	landed := map[string]func(rf *redisv1alpha1.RedisFailover) bool{
		"custom-config.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			s := rf.Spec.Sentinel
			return s.EffectiveDownAfterMilliseconds() == 2500 && s.EffectiveFailoverTimeout() == 4000 && s.EffectiveParallelSyncs() == 1
		},
		"custom-image.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return rf.Spec.Sentinel.SentinelImage() == "" && len(rf.IgnoredFields()) == 1 && rf.Spec.Redis.Image == "redis:6.0-alpine"
		},
		"custom-command.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return len(rf.Spec.Redis.Command) == 6 && len(rf.IgnoredFields()) == 1
		},
		"custom-port.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return rf.Spec.Redis.Port == 7001 && rf.Spec.Sentinel.Exporter.Enabled && len(rf.IgnoredFields()) == 0
		},
		"enable-exporter.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return rf.Spec.Redis.Exporter.Args[1] == "/scrape" && len(rf.IgnoredFields()) == 1
		},
		"control-label-propagation.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return len(rf.Spec.LabelWhitelist) == 1 && rf.Labels["team.example.org/owner"] == "payments"
		},
		"custom-renames.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			r := rf.Spec.Redis.CustomCommandRenames
			return len(r) == 3 && r[0].From == "debug" && r[0].To == ""
		},
		"custom-shutdown.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return rf.Spec.Redis.ShutdownConfigMap == "stopping-shutdown"
		},
		"extravolumes-mounts.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return len(rf.Spec.Redis.ExtraVolumes) == 1 && rf.Spec.Sentinel.ExtraVolumeMounts[0].MountPath == "/etc/tls"
		},
		"sidecars.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return rf.Spec.Redis.InitContainers[0].Name == "wait" && rf.Spec.Sentinel.ExtraContainers[0].Name == "logger"
		},
		"pmem.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return !*rf.Spec.Redis.SecurityContext.RunAsNonRoot && len(rf.Spec.Redis.Command) == 7 && len(rf.Spec.Sentinel.Command) == 5
		},
		"minimum.yaml": func(rf *redisv1alpha1.RedisFailover) bool {
			return rf.Spec.Redis.Replicas == 3 && rf.Spec.Sentinel.Replicas == 3 && rf.Spec.Sentinel.EffectiveDownAfterMilliseconds() == 3000
		},
	}
	files, err := filepath.Glob(filepath.Join(spotahomeExamples, "*.yaml"))
	if err != nil || len(files) != 25 {
		t.Fatalf("%d example shapes (%v), want spotahome's 25", len(files), err)
	}
	ctx := context.Background()
	ns, convertedNS := newNamespace(t), newNamespace(t)
	accepted := 0
	for _, path := range files {
		file := filepath.Base(path)
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rfs := redisFailovers(t, data)
			if len(rfs) != 1 || rfs[0].GetAPIVersion() != spotahome.APIVersion {
				t.Fatalf("%s: want one spotahome RedisFailover, got %d", file, len(rfs))
			}
			u := rfs[0]
			u.SetAPIVersion(redisv1alpha1.GroupVersion.String())
			u.SetNamespace(ns)
			err = k8s.Create(ctx, u, client.FieldValidation("Strict"))
			if want, ok := refused[file]; ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want the documented refusal %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused with only the apiVersion changed: %v", err)
			}
			accepted++
			if check, ok := landed[file]; ok {
				got := &redisv1alpha1.RedisFailover{}
				if err := k8s.Get(ctx, client.ObjectKeyFromObject(u), got); err != nil {
					t.Fatal(err)
				}
				if !check(got) {
					t.Errorf("the fields did not land with spotahome's meaning: %+v", got.Spec)
				}
			}

			out, err := spotahome.Convert(data, spotahome.Options{})
			if err != nil {
				t.Fatalf("kubectl rf convert: %v", err)
			}
			conv := redisFailovers(t, out)
			if len(conv) != 1 {
				t.Fatalf("convert printed %d RedisFailovers", len(conv))
			}
			conv[0].SetNamespace(convertedNS)
			if err := k8s.Create(ctx, conv[0], client.FieldValidation("Strict")); err != nil {
				t.Errorf("the API server refused what kubectl rf convert printed: %v\n%s", err, out)
			}
		})
	}
	t.Logf("spotahome example shapes accepted with only the apiVersion changed: %d of %d (refused, as documented: %d)", accepted, len(files), len(refused))
	if accepted+len(refused) != len(files) {
		t.Errorf("accepted %d + refused %d != %d examples", accepted, len(refused), len(files))
	}
}
