package render

import (
	"fmt"
	"strconv"
	"strings"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Paths inside the Redis pod.
const (
	redisTemplateDir = "/etc/redis"        // the ConfigMap: redis.conf, init.sh, readiness.sh
	redisSecretDir   = "/etc/redis-secret" // the auth Secret, key projected to "password"
	redisRuntimeDir  = "/run/redis"        // memory-backed emptyDir: the config redis-server runs with
	redisDataDir     = "/data"             // emptyDir or the PVC
	redisConfKey     = "redis.conf"
	passwordFileName = "password"
)

// ownedRedisDirectives are redis.conf directives the operator sets or that would let a user
// value undo what it sets, with the fix to put in the error. The CRD's CEL rule on
// spec.redis.customConfig lists the same names; a test keeps the two in step.
var ownedRedisDirectives = map[string]string{
	"replicaof":             "remove the entry (the sentinels and the operator choose the master)",
	"slaveof":               "remove the entry (the sentinels and the operator choose the master)",
	"port":                  "set spec.redis.port instead",
	"dir":                   "remove the entry",
	"requirepass":           "set spec.auth.secretPath instead (the password comes from a Secret)",
	"masterauth":            "set spec.auth.secretPath instead (the password comes from a Secret)",
	"masteruser":            "set spec.auth.secretPath instead (the password comes from a Secret)",
	"user":                  "remove the entry and use spec.auth (ACL users would put passwords in a ConfigMap)",
	"aclfile":               "remove the entry and use spec.auth",
	"bind":                  "remove the entry",
	"include":               "remove the entry",
	"rename-command":        "set spec.redis.customCommandRenames instead",
	"daemonize":             "remove the entry",
	"supervised":            "remove the entry",
	"pidfile":               "remove the entry",
	"logfile":               "remove the entry",
	"unixsocket":            "remove the entry",
	"unixsocketperm":        "remove the entry",
	"protected-mode":        "remove the entry",
	"replica-announce-ip":   "remove the entry",
	"replica-announce-port": "remove the entry",
	"slave-announce-ip":     "remove the entry",
	"slave-announce-port":   "remove the entry",
	"replica-priority":      "remove the entry",
	"slave-priority":        "remove the entry",
	"replica-read-only":     "remove the entry",
	"slave-read-only":       "remove the entry",
	// Fencing: a node that does not yet follow a master must serve nothing (see start.sh).
	"replica-serve-stale-data": "remove the entry (a replica without a master link must not serve possibly empty data)",
	"slave-serve-stale-data":   "remove the entry (a replica without a master link must not serve possibly empty data)",
	"repl-backlog-size":        "set spec.redis.replBacklogSize instead",
	"min-replicas-to-write":    "set spec.redis.minReplicasToWrite instead",
	"min-slaves-to-write":      "set spec.redis.minReplicasToWrite instead",
	"min-replicas-max-lag":     "set spec.redis.minReplicasMaxLag instead",
	"min-slaves-max-lag":       "set spec.redis.minReplicasMaxLag instead",
	"cluster-enabled":          "remove the entry",
	"sentinel":                 "remove the entry",
}

// redisConf renders redis.conf: the user's customConfig, then the directives the operator owns,
// last so that they win even if a customConfig line slipped through. It holds no password: the
// init container writes the file redis-server starts with, which includes this one and adds the
// password from the Secret.
// rf must have its defaults applied.
func redisConf(rf *redisv1alpha1.RedisFailover) (string, error) {
	r := rf.Spec.Redis
	var b strings.Builder
	fmt.Fprintf(&b, "# Rendered by redis-failover-operator from RedisFailover %s/%s. Edits are overwritten.\n", rf.Namespace, rf.Name)
	if len(r.CustomConfig) > 0 {
		b.WriteString("\n# spec.redis.customConfig\n")
	}
	for i, raw := range r.CustomConfig {
		field := fmt.Sprintf("spec.redis.customConfig[%d]", i)
		line, err := parseConfigLine(field, string(raw))
		if err != nil {
			return "", err
		}
		if fix, owned := ownedRedisDirectives[line.directive]; owned {
			return "", fmt.Errorf("%s: %q is managed by the operator: %s", field, line.directive, fix)
		}
		b.WriteString(line.String())
		b.WriteByte('\n')
	}

	commandLines, _, err := commandConfigLines(r.Command)
	if err != nil {
		return "", err
	}
	if len(commandLines) > 0 {
		b.WriteString("\n# spec.redis.command arguments\n")
	}
	for _, line := range commandLines {
		b.WriteString(line.String())
		b.WriteByte('\n')
	}
	if renames := renameCommandLines(rf); len(renames) > 0 {
		b.WriteString("\n# spec.redis.customCommandRenames\n")
		for _, line := range renames {
			b.WriteString(line.String())
			b.WriteByte('\n')
		}
	}

	backlog, ok := r.ReplBacklogSize.AsInt64()
	if !ok || backlog < 16<<10 {
		return "", fmt.Errorf("spec.redis.replBacklogSize %s must be a whole number of bytes of at least 16Ki: fix the size", r.ReplBacklogSize.String())
	}
	b.WriteString("\n# Owned by the operator.\n")
	owned := [][2]string{
		{"port", strconv.Itoa(int(r.Port))},
		// Pods are reached on their pod IP; access is controlled by the password and by
		// NetworkPolicy, not by binding to loopback.
		{"protected-mode", "no"},
		{"dir", redisDataDir},
		{"repl-backlog-size", strconv.FormatInt(backlog, 10)},
		{"min-replicas-to-write", strconv.Itoa(int(r.EffectiveMinReplicasToWrite()))},
		{"min-replicas-max-lag", strconv.Itoa(int(r.MinReplicasMaxLag))},
		// Replicas refuse writes: a write to a replica would be lost on the next resync.
		{"replica-read-only", "yes"},
		// A replica whose link to its master is down answers data commands with -MASTERDOWN
		// instead of serving what it has. This is what fences a node that start.sh starts as a
		// replica of nothing (bootstrap, or a master restarted in place with at most its last
		// snapshot): it serves nothing until it follows the current master. It stays on for
		// good: a replica that lost its master refuses reads rather than serve stale data.
		{"replica-serve-stale-data", "no"},
	}
	for _, kv := range owned {
		b.WriteString(kv[0] + " " + kv[1] + "\n")
	}
	return b.String(), nil
}
