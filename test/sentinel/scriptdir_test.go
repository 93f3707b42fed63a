package sentinel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// scriptDirOutcome is what an operator sees of relative script paths on one sentinel.
type scriptDirOutcome struct {
	SetExisting, SetMissing            string // replies to SENTINEL SET with a relative path
	NotificationField, ReconfigField   string // SENTINEL MASTER's script fields
	StartupLine                        string // what it recorded of the +monitor at start
	ScriptLine                         string // what the notification script recorded of one event
	ScriptError                        string // the -script-error event of a script that exits 3
	Pending                            string // SENTINEL PENDING-SCRIPTS while a script runs, pid and run time masked
	RewrittenNotify, RewrittenReconfig string // the config file's script lines
}

// redis-sentinel changes into `dir` while it loads its config, so a relative
// notification-script or client-reconfig-script, in the file or set later by SENTINEL SET, is
// checked and run from there; the process's own working directory (here another directory,
// holding no scripts) plays no part. Ours must behave the same.
func TestRelativeScriptPathsResolveAgainstDir(t *testing.T) {
	master := redistest.StartServer(t, redistest.ServerOptions{})
	outcomes := map[sentinelKind]scriptDirOutcome{}
	for _, kind := range []sentinelKind{stock, ours} {
		outcomes[kind] = relativeScriptOutcome(t, kind, master)
	}
	want := outcomes[stock]
	// The reference itself must show the behaviour, or the comparison proves nothing.
	if want.SetExisting != "OK" || !strings.HasPrefix(want.ScriptLine, "cwd=<dir> +set ") ||
		want.StartupLine != "cwd=<dir> +monitor <master> quorum 1" || want.ScriptError != "fail.sh 0 3" {
		t.Fatalf("stock redis-sentinel did not accept and run relative scripts: %+v", want)
	}
	if diff := cmp.Diff(want, outcomes[ours]); diff != "" {
		t.Errorf("relative scripts (-stock +ours):\n%s", diff)
	}
}

func relativeScriptOutcome(t *testing.T, kind sentinelKind, master *redistest.Server) scriptDirOutcome {
	t.Helper()
	dir := t.TempDir()
	// The script appends its working directory and arguments to a file named relatively, so
	// the file appears in dir only if the script runs there.
	body := "#!/bin/sh\necho \"cwd=$(pwd) $*\" >> ran.txt\n"
	for _, name := range []string{"notify.sh", "reconf.sh"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	so := redistest.SentinelOptions{
		Monitors: []redistest.Monitor{{Name: masterName, Master: master.Process, Quorum: 1}},
		// A second dir line moves the sentinel away from the directory it was started in.
		Directives: []string{"dir " + dir, "sentinel deny-scripts-reconfig no",
			"sentinel notification-script " + masterName + " notify.sh"},
	}
	if kind == ours {
		so.Binary = oursBinary
	}
	s := redistest.StartSentinel(t, so)
	ctx := context.Background()
	c := s.Client()
	var out scriptDirOutcome
	reply := func(args ...any) string {
		v, err := c.Do(ctx, args...).Result()
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(v)
	}
	out.SetExisting = reply("SENTINEL", "SET", masterName, "client-reconfig-script", "reconf.sh")
	out.SetMissing = reply("SENTINEL", "SET", masterName, "client-reconfig-script", "missing.sh")
	m, err := s.SentinelClient().Master(ctx, masterName).Result()
	if err != nil {
		t.Fatalf("%s: SENTINEL MASTER: %v", kind, err)
	}
	out.NotificationField, out.ReconfigField = m["notification-script"], m["client-reconfig-script"]

	// Starting publishes +monitor, and a SENTINEL SET a +set event: both warning-level events,
	// which run the notification script.
	if r := reply("SENTINEL", "SET", masterName, "parallel-syncs", "2"); r != "OK" {
		t.Fatalf("%s: SENTINEL SET parallel-syncs: %s", kind, r)
	}
	instance := "master " + masterName + " " + master.Host() + " " + strconv.Itoa(master.Port())
	want := "+set " + instance + " parallel-syncs 2"
	poll.Eventually(t, 15*time.Second, string(kind)+"'s notification script to record the +set", func(context.Context) error {
		b, err := os.ReadFile(filepath.Join(dir, "ran.txt"))
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "+monitor "+instance) {
				out.StartupLine = strings.Replace(line, "cwd="+dir+" +monitor "+instance, "cwd=<dir> +monitor <master>", 1)
			}
			if strings.Contains(line, want) {
				out.ScriptLine = strings.Replace(line, "cwd="+dir, "cwd=<dir>", 1)
				out.ScriptLine = strings.Replace(out.ScriptLine, want, "+set <master> parallel-syncs 2", 1)
			}
		}
		if out.ScriptLine == "" || out.StartupLine == "" {
			return fmt.Errorf("ran.txt is %q", b)
		}
		return nil
	})
	// PENDING-SCRIPTS while a slow script runs (it is started by the +set of its own SET).
	if err := os.WriteFile(filepath.Join(dir, "slow.sh"), []byte("#!/bin/sh\nsleep 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := reply("SENTINEL", "SET", masterName, "notification-script", "slow.sh"); r != "OK" {
		t.Fatalf("%s: SENTINEL SET notification-script slow.sh: %s", kind, r)
	}
	poll.Eventually(t, 5*time.Second, string(kind)+" to list the running script", func(ctx context.Context) error {
		v, err := c.Do(ctx, "SENTINEL", "PENDING-SCRIPTS").Slice()
		if err != nil || len(v) != 1 {
			return fmt.Errorf("PENDING-SCRIPTS: %v, %v", v, err)
		}
		entry, ok := v[0].([]any)
		if !ok {
			return fmt.Errorf("entry %#v", v[0])
		}
		for i := 0; i+1 < len(entry); i += 2 {
			if k := fmt.Sprint(entry[i]); k == "pid" || k == "run-time" {
				entry[i+1] = "<live>"
			}
		}
		out.Pending = fmt.Sprint(entry)
		return nil
	})
	// A failing script is reported on pub/sub with its path as configured, the signal and the
	// exit code.
	if err := os.WriteFile(filepath.Join(dir, "fail.sh"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sub := s.SentinelClient().Subscribe(ctx, "-script-error")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if r := reply("SENTINEL", "SET", masterName, "notification-script", "fail.sh"); r != "OK" {
		t.Fatalf("%s: SENTINEL SET notification-script fail.sh: %s", kind, r)
	}
	select {
	case msg := <-sub.Channel():
		out.ScriptError = msg.Payload
	case <-time.After(15 * time.Second):
		t.Fatalf("%s published no -script-error for fail.sh", kind)
	}
	conf, err := os.ReadFile(s.ConfPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(conf), "\n") {
		switch {
		case strings.HasPrefix(line, "sentinel notification-script "):
			out.RewrittenNotify = line
		case strings.HasPrefix(line, "sentinel client-reconfig-script "):
			out.RewrittenReconfig = line
		}
	}
	return out
}
