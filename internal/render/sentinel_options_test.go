package render

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// spotahome set the sentinel timings as customConfig lines; they take effect like the typed
// fields, whose defaults apply only when neither is set.
func TestSentinelCustomConfigLinesMapOntoTheTypedOptions(t *testing.T) {
	rows := []struct {
		name       string
		sentinel   redisv1alpha1.SentinelSettings
		renames    []redisv1alpha1.RedisCommandRename
		want       []SentinelOption
		wantQuorum int32
		wantErr    string
	}{
		{name: "defaults", want: []SentinelOption{{"down-after-milliseconds", "3000"}, {"failover-timeout", "10000"}, {"parallel-syncs", "1"}}, wantQuorum: 2},
		{name: "spotahome's custom-config lines",
			sentinel: redisv1alpha1.SentinelSettings{CustomConfig: []redisv1alpha1.SentinelConfigLine{"down-after-milliseconds 2000", "failover-timeout 3000"}},
			want:     []SentinelOption{{"down-after-milliseconds", "2000"}, {"failover-timeout", "3000"}, {"parallel-syncs", "1"}}, wantQuorum: 2},
		{name: "parallel-syncs and quorum lines",
			sentinel: redisv1alpha1.SentinelSettings{CustomConfig: []redisv1alpha1.SentinelConfigLine{"parallel-syncs 2", "quorum 3"}},
			want:     []SentinelOption{{"down-after-milliseconds", "3000"}, {"failover-timeout", "10000"}, {"parallel-syncs", "2"}}, wantQuorum: 3},
		{name: "typed fields",
			sentinel: redisv1alpha1.SentinelSettings{DownAfterMilliseconds: 1500, Quorum: ptr.To[int32](1)},
			want:     []SentinelOption{{"down-after-milliseconds", "1500"}, {"failover-timeout", "10000"}, {"parallel-syncs", "1"}}, wantQuorum: 1},
		{name: "renamed commands reach the sentinels, disabled ones do not",
			renames: []redisv1alpha1.RedisCommandRename{{From: "CONFIG", To: "cfg-1"}, {From: "flushall", To: ""}, {From: "slaveof", To: "follow"}},
			want: []SentinelOption{{"down-after-milliseconds", "3000"}, {"failover-timeout", "10000"}, {"parallel-syncs", "1"},
				{"rename-command", "config cfg-1"}, {"rename-command", "slaveof follow"}}, wantQuorum: 2},
		{name: "line and field", sentinel: redisv1alpha1.SentinelSettings{FailoverTimeout: 5000, CustomConfig: []redisv1alpha1.SentinelConfigLine{"failover-timeout 3000"}},
			wantErr: "spec.sentinel.customConfig[0]: failover-timeout is also set by spec.sentinel.failoverTimeout: keep one"},
		{name: "line twice", sentinel: redisv1alpha1.SentinelSettings{CustomConfig: []redisv1alpha1.SentinelConfigLine{"parallel-syncs 2", "parallel-syncs 3"}},
			wantErr: "spec.sentinel.customConfig[1]: parallel-syncs is set twice"},
		{name: "line out of bounds", sentinel: redisv1alpha1.SentinelSettings{CustomConfig: []redisv1alpha1.SentinelConfigLine{"down-after-milliseconds 50"}},
			wantErr: "down-after-milliseconds must be from 100 to 600000, got 50"},
		{name: "quorum line above replicas", sentinel: redisv1alpha1.SentinelSettings{CustomConfig: []redisv1alpha1.SentinelConfigLine{"quorum 4"}},
			wantErr: "spec.sentinel quorum 4 exceeds spec.sentinel.replicas 3"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Sentinel = row.sentinel
				rf.Spec.Redis.CustomCommandRenames = row.renames
			}).WithDefaults()
			got, err := SentinelMasterOptions(rf)
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v, want %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, row.want) {
				t.Errorf("options = %v, want %v", got, row.want)
			}
			if q := rf.Spec.Sentinel.EffectiveQuorum(); q != row.wantQuorum {
				t.Errorf("quorum = %d, want %d", q, row.wantQuorum)
			}
		})
	}
}
