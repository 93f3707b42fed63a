//go:build envtest

package v1alpha1_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// fromYAML builds a RedisFailover as a user writes it: fields set to zero stay in the request,
// as they do with kubectl apply, instead of being dropped by omitempty.
func fromYAML(t *testing.T, ns, name, specYAML string) *unstructured.Unstructured {
	t.Helper()
	spec := map[string]any{}
	if err := yaml.Unmarshal([]byte(specYAML), &spec); err != nil {
		t.Fatalf("test spec does not parse: %v\n%s", err, specYAML)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": redisv1alpha1.GroupVersion.String(),
		"kind":       "RedisFailover",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec":       spec,
	}}
	return u
}

// Every rule the schema enforces, one row each. want lists substrings of the API server's
// error: the field path and the fix.
var invalidSpecs = []struct {
	name string
	spec string
	want []string
}{
	// metadata
	{"name too long", "", []string{"metadata.name must be at most 48 characters"}},
	// spec.redis
	{"redis replicas 0", "redis: {replicas: 0}", []string{"spec.redis.replicas", "greater than or equal to 1"}},
	{"redis replicas 65", "redis: {replicas: 65}", []string{"spec.redis.replicas", "less than or equal to 64"}},
	{"redis image empty", `redis: {image: ""}`, []string{"spec.redis.image", "at least 1 chars long"}},
	{"redis pull policy", "redis: {imagePullPolicy: Sometimes}", []string{"spec.redis.imagePullPolicy", `supported values: "Always", "IfNotPresent", "Never"`}},
	{"redis port 0", "redis: {port: 0}", []string{"spec.redis.port", "greater than or equal to 1"}},
	{"redis port 65536", "redis: {port: 65536}", []string{"spec.redis.port", "less than or equal to 65535"}},
	{"redis port is the sentinel port", "redis: {port: 26379}", []string{"spec.redis.port must not be 26379"}},
	{"customConfig newline", `redis: {customConfig: ["maxmemory 1mb\nreplicaof 10.0.0.1 6379"]}`, []string{"spec.redis.customConfig[0]", "must be a single line"}},
	{"customConfig carriage return", `redis: {customConfig: ["maxmemory 1mb\rport 1"]}`, []string{"spec.redis.customConfig[0]", "must be a single line"}},
	{"customConfig NUL", `redis: {customConfig: ["maxmemory 1mb\u0000"]}`, []string{"spec.redis.customConfig[0]", "must be a single line"}},
	{"customConfig uppercase", `redis: {customConfig: ["MAXMEMORY 1mb"]}`, []string{"spec.redis.customConfig[0]", `"MAXMEMORY 1mb" must be a lowercase directive, one space and a value`}},
	{"customConfig no value", `redis: {customConfig: ["maxmemory"]}`, []string{"spec.redis.customConfig[0]", "must be a lowercase directive, one space and a value"}},
	{"customConfig unbalanced quote", `redis: {customConfig: ["maxmemory-policy \"allkeys-lru"]}`, []string{"spec.redis.customConfig[0]", "has unbalanced quotes (Redis would refuse to start)"}},
	{"customConfig text after closing quote", `redis: {customConfig: ["notify-keyspace-events 'Ex'x"]}`, []string{"spec.redis.customConfig[0]", "follow a closing quote with a space"}},
	{"customConfig replicaof", `redis: {customConfig: ["maxmemory 1mb", "replicaof 10.0.0.1 6379"]}`, []string{"spec.redis.customConfig[1]", `"replicaof" is managed by the operator: remove the entry (the sentinels and the operator choose the master)`}},
	{"customConfig slaveof", `redis: {customConfig: ["slaveof 10.0.0.1 6379"]}`, []string{"spec.redis.customConfig[0]", `"slaveof" is managed by the operator`}},
	{"customConfig port", `redis: {customConfig: ["port 7000"]}`, []string{"spec.redis.customConfig[0]", `"port" is managed by the operator: set spec.redis.port instead`}},
	{"customConfig dir", `redis: {customConfig: ["dir /tmp"]}`, []string{"spec.redis.customConfig[0]", `"dir" is managed by the operator: remove the entry`}},
	{"customConfig requirepass", `redis: {customConfig: ["requirepass hunter2"]}`, []string{"spec.redis.customConfig[0]", "set spec.auth.secretPath instead (the password comes from a Secret)"}},
	{"customConfig masterauth", `redis: {customConfig: ["masterauth hunter2"]}`, []string{"spec.redis.customConfig[0]", "set spec.auth.secretPath instead"}},
	{"customConfig user", `redis: {customConfig: ["user default on >pw"]}`, []string{"spec.redis.customConfig[0]", "ACL users would put passwords in a ConfigMap"}},
	{"customConfig include", `redis: {customConfig: ["include /etc/passwd"]}`, []string{"spec.redis.customConfig[0]", `"include" is managed by the operator`}},
	{"customConfig replica-serve-stale-data (fencing)", `redis: {customConfig: ["replica-serve-stale-data yes"]}`, []string{"spec.redis.customConfig[0]", `"replica-serve-stale-data" is managed by the operator`}},
	{"customConfig rename-command", `redis: {customConfig: ["rename-command CONFIG x"]}`, []string{"spec.redis.customConfig[0]", `"rename-command" is managed by the operator`}},
	{"customConfig bind", `redis: {customConfig: ["bind 127.0.0.1"]}`, []string{"spec.redis.customConfig[0]", `"bind" is managed by the operator`}},
	{"customConfig repl-backlog-size", `redis: {customConfig: ["repl-backlog-size 1mb"]}`, []string{"spec.redis.customConfig[0]", "set spec.redis.replBacklogSize instead"}},
	{"customConfig min-replicas-to-write", `redis: {customConfig: ["min-replicas-to-write 1"]}`, []string{"spec.redis.customConfig[0]", "set spec.redis.minReplicasToWrite instead"}},
	{"customConfig min-slaves-max-lag", `redis: {customConfig: ["min-slaves-max-lag 5"]}`, []string{"spec.redis.customConfig[0]", "set spec.redis.minReplicasMaxLag instead"}},
	{"customConfig too long", `redis: {customConfig: ["maxmemory ` + strings.Repeat("9", 520) + `"]}`, []string{"spec.redis.customConfig[0]", "may not be more than 512 bytes"}},
	{"customConfig too many", `redis: {customConfig: [` + strings.Repeat(`"maxmemory 1mb",`, 129) + `]}`, []string{"spec.redis.customConfig", "must have at most 128 items"}},
	{"replBacklogSize too small", "redis: {replBacklogSize: 1Ki}", []string{"spec.redis.replBacklogSize must be a whole number of bytes of at least 16Ki"}},
	{"replBacklogSize fractional", "redis: {replBacklogSize: '16384.5'}", []string{"spec.redis.replBacklogSize must be a whole number of bytes"}},
	{"replBacklogSize not a quantity", "redis: {replBacklogSize: lots}", []string{"spec.redis.replBacklogSize"}},
	{"minReplicasToWrite equals replicas", "redis: {replicas: 3, minReplicasToWrite: 3}", []string{"spec.redis.minReplicasToWrite", "spec.redis.minReplicasToWrite (3) must be less than spec.redis.replicas (3)", "lower minReplicasToWrite or add replicas"}},
	{"minReplicasToWrite negative", "redis: {minReplicasToWrite: -1}", []string{"spec.redis.minReplicasToWrite", "greater than or equal to 0"}},
	{"minReplicasMaxLag 0", "redis: {minReplicasMaxLag: 0}", []string{"spec.redis.minReplicasMaxLag", "greater than or equal to 1"}},
	{"storage both kinds", "redis: {storage: {emptyDir: {}, persistentVolumeClaim: {spec: {resources: {requests: {storage: 1Gi}}}}}}", []string{"spec.redis.storage sets both emptyDir and persistentVolumeClaim: keep only one"}},
	{"storage pvc without size", "redis: {storage: {persistentVolumeClaim: {spec: {accessModes: [ReadWriteOnce]}}}}", []string{"spec.redis.storage.persistentVolumeClaim.spec.resources.requests.storage is required: set the volume size"}},
	{"storage pvc bad name", "redis: {storage: {persistentVolumeClaim: {metadata: {name: Bad_Name}, spec: {resources: {requests: {storage: 1Gi}}}}}}", []string{"spec.redis.storage.persistentVolumeClaim.metadata.name must be a DNS label"}},
	{"redis podLabels instance", "redis: {podLabels: {app.kubernetes.io/instance: other}}", []string{"spec.redis.podLabels", "podLabels must not set app.kubernetes.io/name, instance, component, managed-by or redis.failover.dev/* labels"}},
	{"redis podLabels role", "redis: {podLabels: {redis.failover.dev/role: master}}", []string{"spec.redis.podLabels", "podLabels must not set"}},
	{"minReplicasMaxLag too high", "redis: {minReplicasMaxLag: 3601}", []string{"spec.redis.minReplicasMaxLag", "less than or equal to 3600"}},
	{"redis podAnnotations too many", "redis: {podAnnotations: {" + manyKeys(65) + "}}", []string{"spec.redis.podAnnotations", "must have at most 64 items"}},
	{"redis terminationGracePeriod too long", "redis: {terminationGracePeriod: 3601}", []string{"spec.redis.terminationGracePeriod", "less than or equal to 3600"}},
	{"redis terminationGracePeriod negative", "redis: {terminationGracePeriod: -1}", []string{"spec.redis.terminationGracePeriod", "greater than or equal to 0"}},
	{"exporter pull policy", "redis: {exporter: {enabled: true, imagePullPolicy: Sometimes}}", []string{"spec.redis.exporter.imagePullPolicy", "Unsupported value"}},
	// spec.sentinel
	{"sentinel replicas 0", "sentinel: {replicas: 0}", []string{"spec.sentinel.replicas", "greater than or equal to 1"}},
	{"sentinel replicas 16", "sentinel: {replicas: 16}", []string{"spec.sentinel.replicas", "less than or equal to 15"}},
	{"quorum above replicas", "sentinel: {replicas: 3, quorum: 4}", []string{"spec.sentinel.quorum", "spec.sentinel.quorum (4) must not exceed spec.sentinel.replicas (3): lower the quorum or add sentinels"}},
	{"quorum above default replicas", "sentinel: {quorum: 5}", []string{"spec.sentinel.quorum (5) must not exceed spec.sentinel.replicas (3)"}},
	{"quorum 0", "sentinel: {quorum: 0}", []string{"spec.sentinel.quorum", "greater than or equal to 1"}},
	{"downAfterMilliseconds too low", "sentinel: {downAfterMilliseconds: 50}", []string{"spec.sentinel.downAfterMilliseconds", "greater than or equal to 100"}},
	{"failoverTimeout too low", "sentinel: {failoverTimeout: 10}", []string{"spec.sentinel.failoverTimeout", "greater than or equal to 1000"}},
	{"parallelSyncs 0", "sentinel: {parallelSyncs: 0}", []string{"spec.sentinel.parallelSyncs", "greater than or equal to 1"}},
	{"masterName with a space", `sentinel: {masterName: "my master"}`, []string{"spec.sentinel.masterName must contain only letters, digits"}},
	{"masterName empty", `sentinel: {masterName: ""}`, []string{"spec.sentinel.masterName", "at least 1 chars long"}},
	{"sentinel pull policy", "sentinel: {imagePullPolicy: Sometimes}", []string{"spec.sentinel.imagePullPolicy", "Unsupported value"}},
	{"sentinel down-after twice", `sentinel: {downAfterMilliseconds: 3000, customConfig: ["down-after-milliseconds 2000"]}`, []string{"spec.sentinel.customConfig", "sets down-after-milliseconds twice, in downAfterMilliseconds and in customConfig: keep one"}},
	{"sentinel failover-timeout twice", `sentinel: {failoverTimeout: 3000, customConfig: ["failover-timeout 5000"]}`, []string{"spec.sentinel.customConfig", "sets failover-timeout twice"}},
	{"sentinel parallel-syncs twice", `sentinel: {parallelSyncs: 1, customConfig: ["parallel-syncs 2"]}`, []string{"spec.sentinel.customConfig", "sets parallel-syncs twice"}},
	{"sentinel quorum twice", `sentinel: {quorum: 2, customConfig: ["quorum 2"]}`, []string{"spec.sentinel.customConfig", "sets quorum twice"}},
	{"sentinel down-after line too small", `sentinel: {customConfig: ["down-after-milliseconds 10"]}`, []string{"spec.sentinel.customConfig[0]", "down-after-milliseconds takes milliseconds from 100 to 600000"}},
	{"sentinel failover-timeout line not a number", `sentinel: {customConfig: ["failover-timeout soon"]}`, []string{"spec.sentinel.customConfig[0]", "failover-timeout takes milliseconds from 1000 to 3600000"}},
	{"sentinel parallel-syncs line 0", `sentinel: {customConfig: ["parallel-syncs 0"]}`, []string{"spec.sentinel.customConfig[0]", "parallel-syncs takes a number from 1 to 64"}},
	// spotahome's fields that would be unsafe or cannot mean the same here
	{"bootstrapNode", `bootstrapNode: {host: 10.0.0.1, port: "6379"}`, []string{"spec.bootstrapNode", "is not supported yet", "remove spec.bootstrapNode"}},
	{"redis hostNetwork", "redis: {hostNetwork: true}", []string{"spec.redis.hostNetwork", "hostNetwork: true is not supported", "tell the nodes apart by address"}},
	{"sentinel hostNetwork", "sentinel: {hostNetwork: true}", []string{"spec.sentinel.hostNetwork", "hostNetwork: true is not supported"}},
	{"redis customReadinessProbe", "redis: {customReadinessProbe: {tcpSocket: {port: 6379}}}", []string{"spec.redis.customReadinessProbe", "is not supported", "replica has synced"}},
	{"redis PDB disabled with emptyDir", "redis: {disablePodDisruptionBudget: true}", []string{"spec.redis.disablePodDisruptionBudget", "needs spec.redis.storage.persistentVolumeClaim", "lose all the data"}},
	{"redis startup twice", "redis: {startupConfigMap: s, customStartupProbe: {tcpSocket: {port: 6379}}}", []string{"spec.redis.startupConfigMap", "keep one"}},
	{"redis shutdownConfigMap name", "redis: {shutdownConfigMap: Not_A_Name}", []string{"spec.redis.shutdownConfigMap", "must be the name of a ConfigMap"}},
	{"sentinel startupConfigMap", "sentinel: {startupConfigMap: s}", []string{"spec.sentinel.startupConfigMap", "is not supported", "has no shell"}},
	{"sentinel exec liveness", `sentinel: {customLivenessProbe: {exec: {command: [sh, -c, "redis-cli -p 26379 ping"]}}}`, []string{"spec.sentinel.customLivenessProbe", "cannot be an exec probe", "use tcpSocket"}},
	{"sentinel exec readiness", `sentinel: {customReadinessProbe: {exec: {command: [redis-cli, ping]}}}`, []string{"spec.sentinel.customReadinessProbe", "cannot be an exec probe"}},
	{"redis command another program", "redis: {command: [sh, -c, redis-server]}", []string{"spec.redis.command", "must be redis-server, a config file"}},
	{"redis command no config file", "redis: {command: [redis-server]}", []string{"spec.redis.command", "must be redis-server, a config file"}},
	{"redis command bare argument", "redis: {command: [redis-server, /redis/redis.conf, extra]}", []string{"spec.redis.command", `must start with a "--directive"`}},
	{"redis command owned directive", "redis: {command: [redis-server, /redis/redis.conf, --port, '7000']}", []string{"spec.redis.command[2]", "sets a directive the operator manages"}},
	{"rename AUTH", "redis: {customCommandRenames: [{from: AUTH, to: login}]}", []string{"spec.redis.customCommandRenames[0]", "AUTH cannot be renamed", "remove the entry"}},
	{"rename psync", "redis: {customCommandRenames: [{from: psync, to: p}]}", []string{"psync cannot be renamed"}},
	{"disable CONFIG", `redis: {customCommandRenames: [{from: config, to: ""}]}`, []string{"spec.redis.customCommandRenames[0]", "config cannot be disabled", "rename it instead"}},
	{"disable INFO without to", "redis: {customCommandRenames: [{from: INFO}]}", []string{"INFO cannot be disabled"}},
	{"rename twice", "redis: {customCommandRenames: [{from: flushall, to: a}, {from: FLUSHALL, to: b}]}", []string{"spec.redis.customCommandRenames", "renames one command twice"}},
	{"rename to a name with a space", `redis: {customCommandRenames: [{from: flushall, to: "a b"}]}`, []string{"spec.redis.customCommandRenames[0].to", "must be empty (disable the command) or letters"}},
	{"extra container named redis", "redis: {extraContainers: [{name: redis, image: busybox}]}", []string{"spec.redis.extraContainers", "must not be named config, redis, redis-exporter or sentinel"}},
	{"init container named config", "sentinel: {initContainers: [{name: config, image: busybox}]}", []string{"spec.sentinel.initContainers", "must not be named"}},
	{"extra volume named data", "redis: {extraVolumes: [{name: data, emptyDir: {}}]}", []string{"spec.redis.extraVolumes", "must not be named config, auth, runtime, data"}},
	{"extra mount over /data", "redis: {extraVolumes: [{name: x, emptyDir: {}}], extraVolumeMounts: [{name: x, mountPath: /data}]}", []string{"spec.redis.extraVolumeMounts", "must not use /data"}},
	{"extra mount under /data", "redis: {extraVolumes: [{name: x, emptyDir: {}}], extraVolumeMounts: [{name: x, mountPath: /data/x}]}", []string{"spec.redis.extraVolumeMounts", "must not use /data"}},
	{"dnsPolicy", "redis: {dnsPolicy: Sometimes}", []string{"spec.redis.dnsPolicy", "supported values"}},
	{"labelWhitelist bad regex", `labelWhitelist: ["^app(["]`, []string{"spec.labelWhitelist[0]", "must be valid regular expressions"}},
	{"sentinel customConfig monitor", `sentinel: {customConfig: ["monitor mymaster 10.0.0.1 6379 2"]}`, []string{"spec.sentinel.customConfig[0]", `"monitor" is managed by the operator`}},
	{"sentinel customConfig auth-pass", `sentinel: {customConfig: ["auth-pass hunter2"]}`, []string{"spec.sentinel.customConfig[0]", "set spec.auth.secretPath instead"}},
	{"sentinel customConfig script", `sentinel: {customConfig: ["notification-script /bin/sh"]}`, []string{"spec.sentinel.customConfig[0]", "scripts are not supported"}},
	{"sentinel customConfig unknown", `sentinel: {customConfig: ["resolve-everything yes"]}`, []string{"spec.sentinel.customConfig[0]", `"resolve-everything" is not a sentinel option this operator supports`}},
	{"sentinel customConfig bad value", `sentinel: {customConfig: ["master-reboot-down-after-period soon"]}`, []string{"spec.sentinel.customConfig[0]", "master-reboot-down-after-period takes milliseconds as a whole number"}},
	{"sentinel customConfig newline", `sentinel: {customConfig: ["master-reboot-down-after-period 1\nsentinel monitor x"]}`, []string{"spec.sentinel.customConfig[0]", "must be a single line"}},
	{"sentinel customConfig uppercase", `sentinel: {customConfig: ["Master-Reboot-Down-After-Period 1"]}`, []string{"spec.sentinel.customConfig[0]", "must be a lowercase option, one space and a value"}},
	{"sentinel customConfig too many", `sentinel: {customConfig: [` + strings.Repeat(`"master-reboot-down-after-period 1",`, 17) + `]}`, []string{"spec.sentinel.customConfig", "must have at most 16 items"}},
	{"downAfterMilliseconds too high", "sentinel: {downAfterMilliseconds: 600001}", []string{"spec.sentinel.downAfterMilliseconds", "less than or equal to 600000"}},
	{"failoverTimeout too high", "sentinel: {failoverTimeout: 3600001}", []string{"spec.sentinel.failoverTimeout", "less than or equal to 3600000"}},
	{"parallelSyncs too high", "sentinel: {parallelSyncs: 65}", []string{"spec.sentinel.parallelSyncs", "less than or equal to 64"}},
	{"masterName too long", "sentinel: {masterName: " + strings.Repeat("m", 65) + "}", []string{"spec.sentinel.masterName", "may not be more than 64"}},
	{"sentinel tolerations too many", "sentinel: {tolerations: [" + strings.Repeat("{operator: Exists},", 65) + "]}", []string{"spec.sentinel.tolerations", "must have at most 64 items"}},
	{"sentinel podLabels component", "sentinel: {podLabels: {app.kubernetes.io/component: redis}}", []string{"spec.sentinel.podLabels", "podLabels must not set"}},
	// spec.auth
	{"auth key without secret", "auth: {secretKey: pw}", []string{"spec.auth.secretKey is set without spec.auth.secretPath"}},
	{"auth bad secret name", "auth: {secretPath: Bad_Secret}", []string{"spec.auth.secretPath must be the name of a Secret in this namespace"}},
	// spec.notifications
	{"webhook without secret", "notifications: {webhook: {}}", []string{"spec.notifications.webhook.urlSecretRef", "Required value"}},
	{"webhook bad secret name", "notifications: {webhook: {urlSecretRef: {name: Bad_Secret}}}", []string{"spec.notifications.webhook.urlSecretRef.name must be the name of a Secret in this namespace"}},
	{"webhook bad key", "notifications: {webhook: {urlSecretRef: {name: hook, key: 'a b'}}}", []string{"spec.notifications.webhook.urlSecretRef.key must be a Secret key"}},
	{"auth bad key", "auth: {secretPath: s, secretKey: a/b}", []string{"spec.auth.secretKey must be a Secret key (letters, digits, '-', '_' and '.'): fix the key name"}},
}

func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i) + ": v"
	}
	return strings.Join(keys, ", ")
}

func TestInvalidSpecsAreRefusedWithTheFieldAndTheFix(t *testing.T) {
	ns := newNamespace(t)
	for _, row := range invalidSpecs {
		t.Run(row.name, func(t *testing.T) {
			name := "bad"
			if row.name == "name too long" {
				name = strings.Repeat("n", 49)
			}
			err := k8s.Create(context.Background(), fromYAML(t, ns, name, row.spec))
			if err == nil {
				t.Fatalf("the API server accepted spec:\n%s", row.spec)
			}
			for _, want := range row.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestMetadataNameMustBeADNSLabel(t *testing.T) {
	err := k8s.Create(context.Background(), fromYAML(t, newNamespace(t), "with.dots", ""))
	if err == nil || !strings.Contains(err.Error(), "metadata.name must be a DNS label") {
		t.Errorf("err = %v, want the DNS label rule", err)
	}
}

func TestUnknownFieldsAreRefusedByStrictValidation(t *testing.T) {
	// kubectl apply validates strictly by default, so a field this API does not have is an error
	// that names it rather than a silent no-op. spec.redis.version is spotahome's pre-v1 field,
	// still in some of its examples.
	u := fromYAML(t, newNamespace(t), "spot", "redis: {version: 3.2-alpine}")
	err := k8s.Create(context.Background(), u, client.FieldValidation("Strict"))
	if err == nil || !strings.Contains(err.Error(), `unknown field "spec.redis.version"`) {
		t.Errorf("err = %v, want unknown field spec.redis.version", err)
	}
}

// Fields fixed at creation: changing them is refused on update with the reason and the way out.
func TestImmutableFields(t *testing.T) {
	ns := newNamespace(t)
	pvc := "redis: {storage: {persistentVolumeClaim: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}}"
	rows := []struct {
		name, create, update string
		want                 string
	}{
		{"port", "redis: {port: 6379}", "redis: {port: 6380}", "spec.redis.port cannot change after creation"},
		{"masterName", "sentinel: {masterName: a}", "sentinel: {masterName: b}", `spec.sentinel.masterName cannot change after creation: the sentinels monitor the master under the name in status.masterName`},
		// Unset, the name in force is "<namespace>.immutable-<letter>" (or, created before the
		// namespaced default, metadata.name): another name set later changes it.
		{"masterName set after creation", "", "sentinel: {masterName: b}", `spec.sentinel.masterName cannot change after creation`},
		{"masterName removed", "sentinel: {masterName: a}", "sentinel: {}", `spec.sentinel.masterName cannot change after creation`},
		{"masterName removed with the sentinel section", "sentinel: {masterName: a}", "", `spec.sentinel.masterName cannot change after creation`},
		{"emptyDir to pvc", "redis: {storage: {emptyDir: {}}}", pvc, "spec.redis.storage cannot switch between emptyDir and persistentVolumeClaim"},
		{"pvc to emptyDir", pvc, "redis: {storage: {emptyDir: {}}}", "spec.redis.storage cannot switch between emptyDir and persistentVolumeClaim"},
		{"pvc size", pvc, "redis: {storage: {persistentVolumeClaim: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}}}}", "spec.redis.storage.persistentVolumeClaim cannot change after creation"},
	}
	for i, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ctx := context.Background()
			name := "immutable-" + string(rune('a'+i))
			obj := fromYAML(t, ns, name, row.create)
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("create: %v", err)
			}
			updated := fromYAML(t, ns, name, row.update)
			updated.SetResourceVersion(obj.GetResourceVersion())
			err := k8s.Update(ctx, updated)
			if err == nil || !strings.Contains(err.Error(), row.want) {
				t.Errorf("update: err = %v, want %q", err, row.want)
			}
		})
	}
}

func TestMutableFieldsCanChange(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	obj := fromYAML(t, ns, "grows", "redis: {replicas: 3}")
	if err := k8s.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	updated := fromYAML(t, ns, "grows", `{redis: {replicas: 5, customConfig: ["maxmemory 1gb"]}, sentinel: {replicas: 5, quorum: 3}, auth: {secretPath: pw}}`)
	updated.SetResourceVersion(obj.GetResourceVersion())
	if err := k8s.Update(ctx, updated); err != nil {
		t.Errorf("scaling, config and auth changes were refused: %v", err)
	}
}

// Unset, spec.sentinel.masterName means metadata.name: spelling that name out later, or
// removing a masterName equal to metadata.name, keeps the name in effect and is accepted.
func TestMasterNameMaySpellOutTheNameInEffect(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	obj := fromYAML(t, ns, "spelled", "")
	if err := k8s.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"sentinel: {masterName: spelled}", "sentinel: {}", "sentinel: {masterName: spelled}", ""} {
		updated := fromYAML(t, ns, "spelled", spec)
		updated.SetResourceVersion(obj.GetResourceVersion())
		if err := k8s.Update(ctx, updated); err != nil {
			t.Fatalf("update to %q refused although the master name stays %q: %v", spec, "spelled", err)
		}
		obj = updated
	}
}

// The files in config/samples/invalid are what a demo applies to show refusals; each carries
// the message it must be refused with.
func TestInvalidSamplesAreRefused(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "samples", "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid samples: %v", err)
	}
	ns := newNamespace(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			expect := ""
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "# expect: "); ok {
					expect = v
				}
			}
			if expect == "" {
				t.Fatal("no '# expect:' line")
			}
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(data, &u.Object); err != nil {
				t.Fatal(err)
			}
			u.SetNamespace(ns)
			err = k8s.Create(context.Background(), u, client.FieldValidation("Strict"))
			if err == nil || !strings.Contains(err.Error(), expect) {
				t.Errorf("err = %v\nwant it to contain %q", err, expect)
			}
		})
	}
}

// A sentinel image is accepted whatever it is: the operator's own (whose name contains "redis")
// is used, and a Redis image from a spotahome manifest is reported as ignored.
func TestSentinelImagesAreAccepted(t *testing.T) {
	ns := newNamespace(t)
	for i, row := range []struct {
		image   string
		ignored bool
	}{
		{"localhost/redis-failover-operator:dev", false},
		{"ghcr.io/failover-dev/redis-failover-operator@sha256:abcd", false},
		{"redis-failover-operator", false},
		{"redis:6.2.6-alpine", true},
		{"docker.io/library/redis@sha256:0123", true},
		{"bitnami/redis-sentinel:7.2", true},
	} {
		u := fromYAML(t, ns, "image-"+strconv.Itoa(i), "sentinel: {image: "+row.image+"}")
		if err := k8s.Create(context.Background(), u); err != nil {
			t.Errorf("sentinel image %s refused: %v", row.image, err)
			continue
		}
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(u), got); err != nil {
			t.Fatal(err)
		}
		if ignored := len(got.IgnoredFields()) > 0; ignored != row.ignored {
			t.Errorf("sentinel image %s: ignored = %v, want %v (%v)", row.image, ignored, row.ignored, got.IgnoredFields())
		}
		if want := map[bool]string{true: "", false: row.image}[row.ignored]; got.Spec.Sentinel.SentinelImage() != want {
			t.Errorf("sentinel image %s: SentinelImage() = %q, want %q", row.image, got.Spec.Sentinel.SentinelImage(), want)
		}
	}
}

// Spelling out the name in force, or removing it again, is no change: the schema lets it pass
// (it cannot see the namespace, so any "<something>.<metadata.name>" passes; the operator
// refuses one that is not status.masterName).
func TestMasterNameMaySpellOutTheNameInForce(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	obj := fromYAML(t, ns, "spelled", "")
	if err := k8s.Create(ctx, obj); err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, update := range []string{"sentinel: {masterName: " + ns + ".spelled}", "", "sentinel: {masterName: spelled}", "sentinel: {}"} {
		u := fromYAML(t, ns, "spelled", update)
		u.SetResourceVersion(obj.GetResourceVersion())
		if err := k8s.Update(ctx, u); err != nil {
			t.Fatalf("update to %q: %v", update, err)
		}
		obj = u
	}
}
