package render

import (
	"fmt"
	"strconv"
	"strings"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Paths inside the sentinel pod.
const (
	sentinelTemplateDir = "/etc/sentinel"        // the ConfigMap: sentinel.conf, init.sh
	sentinelSecretDir   = "/etc/sentinel-secret" // the auth Secret, key projected to "password"
	sentinelDataDir     = "/data"                // memory-backed emptyDir: the config the sentinel runs and rewrites
	sentinelConfKey     = "sentinel.conf"
	// sentinelDiscoveryKey holds the master's options for a sentinel that finds the master by
	// itself: `quorum N`, then one SENTINEL SET pair per line.
	sentinelDiscoveryKey = "discovery.conf"
)

// SentinelOption is one per-master sentinel option, as sent with SENTINEL SET <master> name value.
type SentinelOption struct {
	Name  string
	Value string
}

// ownedSentinelOptions are the per-master options the operator owns, with the fix. The CRD's
// CEL rule on spec.sentinel.customConfig lists the same names; a test keeps them in step.
var ownedSentinelOptions = map[string]string{
	"monitor":                "remove the entry",
	"auth-pass":              "set spec.auth.secretPath instead (the password comes from a Secret)",
	"auth-user":              "set spec.auth.secretPath instead",
	"notification-script":    "remove the entry (scripts are not supported)",
	"client-reconfig-script": "remove the entry (scripts are not supported)",
	"announce-ip":            "remove the entry",
	"announce-port":          "remove the entry",
	"announce-hostnames":     "remove the entry",
	"resolve-hostnames":      "remove the entry",
	"sentinel-user":          "remove the entry",
	"sentinel-pass":          "remove the entry",
	"known-replica":          "remove the entry",
	"known-slave":            "remove the entry",
	"known-sentinel":         "remove the entry",
	"myid":                   "remove the entry",
	"current-epoch":          "remove the entry",
	"config-epoch":           "remove the entry",
	"leader-epoch":           "remove the entry",
	"rename-command":         "set spec.redis.customCommandRenames instead (the sentinels learn the renames from it)",
	"deny-scripts-reconfig":  "remove the entry",
}

// supportedSentinelOptions are the options spec.sentinel.customConfig may set.
var supportedSentinelOptions = map[string]bool{
	"master-reboot-down-after-period": true,
	"down-after-milliseconds":         true,
	"failover-timeout":                true,
	"parallel-syncs":                  true,
	"quorum":                          true,
}

// typedSentinelOptions are customConfig options that have a typed field: the line is the value
// when the field is unset (SentinelSettings.Effective*), with the field's bounds, and two ways of
// setting one option are refused.
var typedSentinelOptions = map[string]struct {
	field    string
	set      func(redisv1alpha1.SentinelSettings) bool
	min, max uint64
}{
	"down-after-milliseconds": {"downAfterMilliseconds", func(s redisv1alpha1.SentinelSettings) bool { return s.DownAfterMilliseconds != 0 }, 100, 600000},
	"failover-timeout":        {"failoverTimeout", func(s redisv1alpha1.SentinelSettings) bool { return s.FailoverTimeout != 0 }, 1000, 3600000},
	"parallel-syncs":          {"parallelSyncs", func(s redisv1alpha1.SentinelSettings) bool { return s.ParallelSyncs != 0 }, 1, 64},
	"quorum":                  {"quorum", func(s redisv1alpha1.SentinelSettings) bool { return s.Quorum != nil }, 1, 15},
}

// SentinelMasterOptions are the per-master options the controller applies with SENTINEL SET
// after SENTINEL MONITOR: the timings in effect (typed field, else customConfig line, else
// default), then the remaining customConfig options, then the renamed Redis commands. Quorum is
// SENTINEL MONITOR's own argument (EffectiveQuorum). auth-pass is not among them; the controller
// adds it from the Secret when spec.auth is set. rf must have its defaults applied.
func SentinelMasterOptions(rf *redisv1alpha1.RedisFailover) ([]SentinelOption, error) {
	s := rf.Spec.Sentinel
	opts := []SentinelOption{
		{Name: "down-after-milliseconds", Value: strconv.Itoa(int(s.EffectiveDownAfterMilliseconds()))},
		{Name: "failover-timeout", Value: strconv.Itoa(int(s.EffectiveFailoverTimeout()))},
		{Name: "parallel-syncs", Value: strconv.Itoa(int(s.EffectiveParallelSyncs()))},
	}
	seen := map[string]bool{}
	for i, raw := range s.CustomConfig {
		field := fmt.Sprintf("spec.sentinel.customConfig[%d]", i)
		line, err := parseConfigLine(field, string(raw))
		if err != nil {
			return nil, err
		}
		if fix, owned := ownedSentinelOptions[line.directive]; owned {
			return nil, fmt.Errorf("%s: %q is managed by the operator: %s", field, line.directive, fix)
		}
		if !supportedSentinelOptions[line.directive] {
			return nil, fmt.Errorf("%s: %q is not a sentinel option this operator supports: the supported option is master-reboot-down-after-period; remove the entry", field, line.directive)
		}
		if seen[line.directive] {
			return nil, fmt.Errorf("%s: %s is set twice in spec.sentinel.customConfig: keep one entry", field, line.directive)
		}
		seen[line.directive] = true
		if len(line.args) != 1 {
			return nil, fmt.Errorf("%s: %s takes one value, got %d: fix the entry", field, line.directive, len(line.args))
		}
		v, err := strconv.ParseUint(line.args[0], 10, 31)
		if err != nil {
			return nil, fmt.Errorf("%s: %s takes a whole number, got %q: fix the value", field, line.directive, line.args[0])
		}
		if typed, ok := typedSentinelOptions[line.directive]; ok {
			if typed.set(s) {
				return nil, fmt.Errorf("%s: %s is also set by spec.sentinel.%s: keep one", field, line.directive, typed.field)
			}
			if v < typed.min || v > typed.max {
				return nil, fmt.Errorf("%s: %s must be from %d to %d, got %d: fix the value", field, line.directive, typed.min, typed.max, v)
			}
			// Already in opts (or, for quorum, SENTINEL MONITOR's argument) as the value in effect.
			continue
		}
		opts = append(opts, SentinelOption{Name: line.directive, Value: line.args[0]})
	}
	if q := s.EffectiveQuorum(); q > s.Replicas {
		return nil, fmt.Errorf("spec.sentinel quorum %d exceeds spec.sentinel.replicas %d: lower the quorum or add sentinels", q, s.Replicas)
	}
	return append(opts, sentinelRenameOptions(rf)...), nil
}

// sentinelConf renders the sentinel.conf template. It monitors nothing: the master is known only
// at run time, and a placeholder address is how spotahome's sentinels ended up stuck on 127.0.0.1
// (spotahome #601). The init container copies it to a writable file and appends requirepass.
func sentinelConf(rf *redisv1alpha1.RedisFailover) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Rendered by redis-failover-operator from RedisFailover %s/%s. Edits are overwritten.\n", rf.Namespace, rf.Name)
	b.WriteString("# The operator adds the master with SENTINEL MONITOR once it knows it.\n")
	b.WriteString("port " + strconv.Itoa(redisv1alpha1.SentinelPort) + "\n")
	b.WriteString("dir " + sentinelDataDir + "\n")
	// Reached on the pod IP; access is controlled by requirepass and NetworkPolicy.
	b.WriteString("protected-mode no\n")
	// The renames reach the sentinels through SENTINEL SET when the controller monitors the
	// master; listing them here changes the pod template's config hash when they change, so that
	// the sentinels are replaced and learn the new names.
	for _, o := range sentinelRenameOptions(rf) {
		b.WriteString("# Redis command renamed (spec.redis.customCommandRenames): " + o.Value + "\n")
	}
	return b.String()
}

// sentinelDiscoverySettings renders discovery.conf: what a sentinel that finds its master by
// itself (redis-failover-sentinel --discover-settings) sets on it, the same as the controller's
// SENTINEL MONITOR and SET. The password is not in it: the sentinel reads the Secret's file.
func sentinelDiscoverySettings(rf *redisv1alpha1.RedisFailover) (string, error) {
	opts, err := SentinelMasterOptions(rf)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# Rendered by redis-failover-operator: the options a sentinel that finds the master by itself sets on it.\n")
	fmt.Fprintf(&b, "quorum %d\n", rf.Spec.Sentinel.EffectiveQuorum())
	for _, o := range opts {
		b.WriteString(o.Name + " " + o.Value + "\n")
	}
	return b.String(), nil
}
