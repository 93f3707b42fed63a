package render

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

func renderRedisConf(t *testing.T, mutate func(*redisv1alpha1.RedisSettings)) (string, error) {
	t.Helper()
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) { mutate(&rf.Spec.Redis) })
	return redisConf(rf.WithDefaults())
}

func TestRedisConfOwnedDirectives(t *testing.T) {
	conf, err := renderRedisConf(t, func(r *redisv1alpha1.RedisSettings) {
		r.ReplBacklogSize = ptr.To(resource.MustParse("64Mi"))
		r.MinReplicasToWrite = ptr.To[int32](1)
		r.MinReplicasMaxLag = 5
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nport 6379\n", "\ndir /data\n", "\nprotected-mode no\n", "\nrepl-backlog-size 67108864\n",
		"\nmin-replicas-to-write 1\n", "\nmin-replicas-max-lag 5\n",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("redis.conf lacks %q:\n%s", want, conf)
		}
	}
	if strings.Contains(conf, "requirepass") || strings.Contains(conf, "masterauth") {
		t.Errorf("redis.conf mentions the password:\n%s", conf)
	}
}

func TestRedisConfCustomConfigIsRequoted(t *testing.T) {
	conf, err := renderRedisConf(t, func(r *redisv1alpha1.RedisSettings) {
		r.CustomConfig = []redisv1alpha1.RedisConfigLine{
			"maxmemory 100mb",
			"save 900 1 300 10",
			`notify-keyspace-events "Ex"`,
			`client-output-buffer-limit 'pubsub 32mb 8mb 60'`,
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nmaxmemory 100mb\n", "\nsave 900 1 300 10\n", "\nnotify-keyspace-events Ex\n",
		"\nclient-output-buffer-limit \"pubsub 32mb 8mb 60\"\n",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("redis.conf lacks %q:\n%s", want, conf)
		}
	}
	// Operator-owned lines come after the user's, so they would win even if one slipped through.
	if strings.Index(conf, "maxmemory 100mb") > strings.Index(conf, "\nport ") {
		t.Errorf("customConfig is not before the owned directives:\n%s", conf)
	}
}

func TestRedisConfRejectsEveryOwnedDirective(t *testing.T) {
	for directive, fix := range ownedRedisDirectives {
		_, err := renderRedisConf(t, func(r *redisv1alpha1.RedisSettings) {
			r.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 1mb", redisv1alpha1.RedisConfigLine(directive + " x")}
		})
		if err == nil || !strings.Contains(err.Error(), "spec.redis.customConfig[1]") || !strings.Contains(err.Error(), fix) {
			t.Errorf("%s: err = %v; want one naming spec.redis.customConfig[1] and %q", directive, err, fix)
		}
	}
}

func TestRedisConfRejectsInjection(t *testing.T) {
	for _, line := range []string{
		"maxmemory 1mb\nreplicaof 10.0.0.9 6379",
		"maxmemory 1mb\r\nrequirepass x",
		"REPLICAOF 10.0.0.9 6379",
		`maxmemory "1mb`,
	} {
		_, err := renderRedisConf(t, func(r *redisv1alpha1.RedisSettings) {
			r.CustomConfig = []redisv1alpha1.RedisConfigLine{redisv1alpha1.RedisConfigLine(line)}
		})
		if err == nil || !strings.Contains(err.Error(), "spec.redis.customConfig[0]") {
			t.Errorf("%q: err = %v, want a rejection naming spec.redis.customConfig[0]", line, err)
		}
	}
}

func TestSentinelMasterOptions(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Sentinel.DownAfterMilliseconds = 2000
		rf.Spec.Sentinel.FailoverTimeout = 20000
		rf.Spec.Sentinel.ParallelSyncs = 2
		rf.Spec.Sentinel.CustomConfig = []redisv1alpha1.SentinelConfigLine{"master-reboot-down-after-period 60000"}
	}).WithDefaults()
	got, err := SentinelMasterOptions(rf)
	if err != nil {
		t.Fatal(err)
	}
	want := []SentinelOption{
		{"down-after-milliseconds", "2000"}, {"failover-timeout", "20000"}, {"parallel-syncs", "2"},
		{"master-reboot-down-after-period", "60000"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("options = %v, want %v", got, want)
	}

	for line, wantErr := range map[string]string{
		"down-after-milliseconds 2000":               "is also set by spec.sentinel.downAfterMilliseconds: keep one",
		"parallel-syncs 3":                           "is also set by spec.sentinel.parallelSyncs: keep one",
		"auth-pass secret":                           "spec.auth.secretPath",
		"notification-script /bin/x":                 "scripts are not supported",
		"leader-epoch 3":                             "managed by the operator",
		"some-future-option 1":                       "not a sentinel option this operator supports",
		"master-reboot-down-after-period 1 2":        "takes one value",
		"master-reboot-down-after-period never":      "whole number",
		"rename-command CONFIG x":                    "set spec.redis.customCommandRenames instead",
		"master-reboot-down-after-period 1\nmonitor": "single line",
	} {
		rf.Spec.Sentinel.CustomConfig = []redisv1alpha1.SentinelConfigLine{redisv1alpha1.SentinelConfigLine(line)}
		_, err := SentinelMasterOptions(rf)
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "spec.sentinel.customConfig[0]") {
			t.Errorf("%q: err = %v, want one naming spec.sentinel.customConfig[0] and %q", line, err, wantErr)
		}
	}
}

func TestSentinelConfMonitorsNothing(t *testing.T) {
	conf := sentinelConf(newRF().WithDefaults())
	for _, line := range strings.Split(conf, "\n") {
		if strings.HasPrefix(line, "sentinel ") || strings.HasPrefix(line, "requirepass") {
			t.Errorf("sentinel.conf template has %q; the master and the password are added at run time", line)
		}
	}
	if !strings.Contains(conf, "\nport 26379\n") {
		t.Errorf("sentinel.conf lacks port 26379:\n%s", conf)
	}
}
