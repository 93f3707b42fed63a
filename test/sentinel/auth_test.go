package sentinel

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// A sentinel with requirepass refuses clients without the password or with a wrong one, and
// serves clients with the right one (and its peers, which use the same password).
func TestRequirePass(t *testing.T) {
	const pass = "s3cret pass"
	tp := newTopology(t, topologyOptions{requirePass: pass}, ours, ours)
	ctx := context.Background()
	addr := tp.sentinels[0].Addr()

	none := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer none.Close()
	if err := none.GetMasterAddrByName(ctx, masterName).Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
		t.Errorf("without a password: %v; want NOAUTH", err)
	}
	wrong := redis.NewSentinelClient(&redis.Options{Addr: addr, Password: "wrong", MaxRetries: -1})
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGPASS") {
		t.Errorf("with a wrong password: %v; want WRONGPASS", err)
	}
	out, _ := exec.Command("/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(tp.sentinels[0].Port()),
		"--no-auth-warning", "-a", "wrong", "sentinel", "masters").CombinedOutput()
	if !strings.Contains(string(out), "WRONGPASS") && !strings.Contains(string(out), "NOAUTH") {
		t.Errorf("redis-cli -a wrong: %q; want an authentication error", out)
	}

	right := redis.NewSentinelClient(&redis.Options{Addr: addr, Password: pass, MaxRetries: -1})
	defer right.Close()
	hp, err := right.GetMasterAddrByName(ctx, masterName).Result()
	if err != nil || hp[1] != strconv.Itoa(tp.master.Port()) {
		t.Errorf("with the password: %v, %v; want the master %s", hp, err, tp.master.Addr())
	}
}
