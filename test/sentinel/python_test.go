package sentinel

import (
	"context"
	"encoding/json"
	"os/exec"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pythonClient uses Debian's python3-redis (4.3.4), which discovers masters only through
// SENTINEL MASTERS and int-parses many of its fields.
const pythonClient = `
import json, sys
from redis.sentinel import Sentinel
addrs = [("127.0.0.1", int(p)) for p in sys.argv[1:]]
s = Sentinel(addrs, socket_timeout=2)
master = s.discover_master("mymaster")
replicas = s.discover_slaves("mymaster")
m = s.master_for("mymaster", socket_timeout=2)
m.set("from-python", "hello")
print(json.dumps({"master": [master[0], master[1]], "replicas": [[h, p] for h, p in replicas],
                  "read_back": m.get("from-python").decode()}))
`

func TestPythonRedisSentinel(t *testing.T) {
	tp := newTopology(t, topologyOptions{}, ours, ours)
	args := []string{"-c", pythonClient}
	for _, s := range tp.sentinels {
		args = append(args, strconv.Itoa(s.Port()))
	}
	out, err := exec.Command("/usr/bin/python3", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("python3-redis client failed: %v\n%s", err, out)
	}
	var got struct {
		Master   []any   `json:"master"`
		Replicas [][]any `json:"replicas"`
		ReadBack string  `json:"read_back"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	wantMaster := []any{tp.master.Host(), float64(tp.master.Port())}
	if diff := cmp.Diff(wantMaster, got.Master); diff != "" {
		t.Errorf("discover_master (-want +got):\n%s", diff)
	}
	var wantReplicas [][]any
	for _, r := range tp.replicas {
		wantReplicas = append(wantReplicas, []any{r.Host(), float64(r.Port())})
	}
	sort.Slice(got.Replicas, func(i, j int) bool { return got.Replicas[i][1].(float64) < got.Replicas[j][1].(float64) })
	sort.Slice(wantReplicas, func(i, j int) bool { return wantReplicas[i][1].(float64) < wantReplicas[j][1].(float64) })
	if diff := cmp.Diff(wantReplicas, got.Replicas); diff != "" {
		t.Errorf("discover_slaves (-want +got):\n%s", diff)
	}
	if v, err := tp.master.Client().Get(context.Background(), "from-python").Result(); err != nil || v != "hello" || got.ReadBack != "hello" {
		t.Errorf("write via master_for: master has %q (%v), python read back %q; want hello", v, err, got.ReadBack)
	}
}
