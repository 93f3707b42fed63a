package render

import (
	"context"
	"strings"
	"testing"
	"time"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// With spec.redis.customCommandRenames, a master's preStop handover still works: the sentinels
// learn the new names through SENTINEL SET <master> rename-command (what the controller sends,
// from SentinelMasterOptions), so their switchover's SLAVEOF, MULTI, EXEC, CONFIG REWRITE and
// CLIENT PAUSE reach the nodes, and prestop.sh reads the renamed REPLICAOF from
// RENAMED_COMMANDS. The nodes know the commands only by their new names. (INFO keeps its name
// here because the test harness waits for servers with it; readiness.sh's test renames it.)
func TestPreStopHandsOverWithRenamedCommands(t *testing.T) {
	renames := map[string]string{"slaveof": "follow-9", "replicaof": "follow-too-9", "multi": "begin-9", "exec": "commit-9",
		"config": "cfg-9", "client": "conn-9", "script": "lua-9"}
	var serverLines, sentinelLines []string
	for from, to := range renames {
		serverLines = append(serverLines, "rename-command "+from+" "+to)
	}
	// CLIENT from the start (the sentinel names its links with CLIENT SETNAME on connecting);
	// the rest through SENTINEL SET, as the controller sends them.
	sentinelLines = append(sentinelLines, "sentinel rename-command "+hookMasterName+" CLIENT conn-9")

	master := redistest.StartServer(t, redistest.ServerOptions{Host: "127.0.0.2", Directives: append([]string{"bind 127.0.0.2 127.0.0.1"}, serverLines...)})
	replica := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: master.Process, Directives: serverLines})
	redistest.WaitReplicaOnline(t, 20*time.Second, master.Process, replica.Process)
	binary := ourSentinel(t)
	var sentinels []*redistest.Sentinel
	for i := 0; i < 3; i++ {
		sentinels = append(sentinels, redistest.StartSentinel(t, redistest.SentinelOptions{
			Binary: binary,
			Monitors: []redistest.Monitor{{Name: hookMasterName, Master: master.Process, Quorum: 2,
				DownAfter: 5 * time.Second, FailoverTimeout: 10 * time.Second}},
			Directives: sentinelLines,
		}))
	}
	redistest.WaitSentinelReady(t, 30*time.Second, hookMasterName, master.Process, 1, 2, sentinels...)

	var options []redis.SentinelOption
	for _, o := range sentinelRenameOptions(newRF(func(rf *redisv1alpha1.RedisFailover) {
		for from, to := range renames {
			rf.Spec.Redis.CustomCommandRenames = append(rf.Spec.Redis.CustomCommandRenames, redisv1alpha1.RedisCommandRename{From: from, To: to})
		}
	})) {
		options = append(options, redis.SentinelOption{Name: o.Name, Value: o.Value})
	}
	for _, s := range sentinels {
		if err := (redis.Client{}).SentinelSet(context.Background(), s.Addr(), hookMasterName, options); err != nil {
			t.Fatal(err)
		}
	}

	sh := hookShells(t)[0]
	sh.env = []string{EnvRenamedCommands + "=" + renamedCommandsEnv(newRF(func(rf *redisv1alpha1.RedisFailover) {
		for from, to := range renames {
			rf.Spec.Redis.CustomCommandRenames = append(rf.Spec.Redis.CustomCommandRenames, redisv1alpha1.RedisCommandRename{From: from, To: to})
		}
	}))}
	run := runPreStop(t, sh, master.Host(), master.Port(), sentinels[1].Host(), sentinels[1].Port(), handoverTimeoutSeconds)
	if run.err != nil || !strings.Contains(run.output, "handed over") {
		t.Fatalf("prestop.sh with renamed commands: %v\n%s", run.err, run.output)
	}
	info, err := redistest.InfoReplication(context.Background(), master.Client())
	if err != nil {
		t.Fatal(err)
	}
	if info["role"] != "slave" {
		t.Fatalf("after the hook the old master reports role %q, want slave", info["role"])
	}
	newMaster, err := sentinels[0].MasterAddr(context.Background(), sentinels[0].SentinelClient(), hookMasterName)
	if err != nil || newMaster != replica.Addr() {
		t.Fatalf("the sentinels name %s (%v), want the replica %s", newMaster, err, replica.Addr())
	}
}
