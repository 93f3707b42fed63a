package main

import (
	"strings"
	"testing"

	"github.com/failover-dev/redis-failover-operator/internal/sentinel"
)

// Discovery is all or nothing: half of its flags would leave a sentinel that looks configured
// and never finds a master.
func TestDiscoveryOf(t *testing.T) {
	all := sentinel.DiscoveryConfig{MasterName: "default.cache", Sentinels: "rfs-cache-headless:26379",
		Redis: "rfr-cache:6379", SettingsFile: "/etc/sentinel/discovery.conf"}
	withAuth := all
	withAuth.AuthFile = "/etc/redis-auth/password"
	for _, tc := range []struct {
		name    string
		in      sentinel.DiscoveryConfig
		wantOn  bool
		wantErr string
	}{
		{name: "none: discovery off", in: sentinel.DiscoveryConfig{}},
		{name: "all four", in: all, wantOn: true},
		{name: "all four and the password", in: withAuth, wantOn: true},
		{name: "only the password", in: sentinel.DiscoveryConfig{AuthFile: "/p"},
			wantErr: "--discover-master, --discover-sentinels, --discover-redis, --discover-settings as well"},
		{name: "settings missing", in: sentinel.DiscoveryConfig{MasterName: "m", Sentinels: "s:1", Redis: "r:1"},
			wantErr: "discovery needs --discover-settings as well"},
		{name: "master and redis missing", in: sentinel.DiscoveryConfig{Sentinels: "s:1", SettingsFile: "f"},
			wantErr: "discovery needs --discover-master, --discover-redis as well"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := discoveryOf(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != tc.wantOn {
				t.Fatalf("discovery on = %v, want %v", got != nil, tc.wantOn)
			}
			if got != nil && *got != tc.in {
				t.Errorf("got %+v, want the flags as given %+v", *got, tc.in)
			}
		})
	}
}
