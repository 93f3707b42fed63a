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
)

// SentinelOption is one per-master sentinel option, as sent with SENTINEL SET <master> name value.
type SentinelOption struct {
	Name  string
	Value string
}

// ownedSentinelOptions are the per-master options the operator owns, with the fix. The CRD's
// CEL rule on spec.sentinel.customConfig lists the same names; a test keeps them in step.
var ownedSentinelOptions = map[string]string{
	"down-after-milliseconds": "set spec.sentinel.downAfterMilliseconds instead",
	"failover-timeout":        "set spec.sentinel.failoverTimeout instead",
	"parallel-syncs":          "set spec.sentinel.parallelSyncs instead",
	"quorum":                  "set spec.sentinel.quorum instead",
	"monitor":                 "remove the entry",
	"auth-pass":               "set spec.auth.secretPath instead (the password comes from a Secret)",
	"auth-user":               "set spec.auth.secretPath instead",
	"notification-script":     "remove the entry (scripts are not supported)",
	"client-reconfig-script":  "remove the entry (scripts are not supported)",
	"announce-ip":             "remove the entry",
	"announce-port":           "remove the entry",
	"announce-hostnames":      "remove the entry",
	"resolve-hostnames":       "remove the entry",
	"sentinel-user":           "remove the entry",
	"sentinel-pass":           "remove the entry",
	"known-replica":           "remove the entry",
	"known-slave":             "remove the entry",
	"known-sentinel":          "remove the entry",
	"myid":                    "remove the entry",
	"current-epoch":           "remove the entry",
	"config-epoch":            "remove the entry",
	"leader-epoch":            "remove the entry",
	"rename-command":          "remove the entry",
	"deny-scripts-reconfig":   "remove the entry",
}

// supportedSentinelOptions are the options spec.sentinel.customConfig may set.
var supportedSentinelOptions = map[string]bool{
	"master-reboot-down-after-period": true,
}

// SentinelMasterOptions are the per-master options the controller applies with SENTINEL SET
// after SENTINEL MONITOR: the typed fields first, then spec.sentinel.customConfig. auth-pass is
// not among them; the controller adds it from the Secret when spec.auth is set. rf must have its
// defaults applied.
func SentinelMasterOptions(rf *redisv1alpha1.RedisFailover) ([]SentinelOption, error) {
	s := rf.Spec.Sentinel
	opts := []SentinelOption{
		{Name: "down-after-milliseconds", Value: strconv.Itoa(int(s.DownAfterMilliseconds))},
		{Name: "failover-timeout", Value: strconv.Itoa(int(s.FailoverTimeout))},
		{Name: "parallel-syncs", Value: strconv.Itoa(int(s.ParallelSyncs))},
	}
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
		if len(line.args) != 1 {
			return nil, fmt.Errorf("%s: %s takes one value, got %d: fix the entry", field, line.directive, len(line.args))
		}
		if _, err := strconv.ParseUint(line.args[0], 10, 31); err != nil {
			return nil, fmt.Errorf("%s: %s takes milliseconds as a whole number, got %q: fix the value", field, line.directive, line.args[0])
		}
		opts = append(opts, SentinelOption{Name: line.directive, Value: line.args[0]})
	}
	return opts, nil
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
	return b.String()
}
