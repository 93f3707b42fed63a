package sentinel

import (
	"strings"
	"testing"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// Field names in the order redis-sentinel 7.0.15 prints them
// (testdata/redis-sentinel-7.0.15/golden-replies.txt at the repository root); clients read some by position.
var (
	goldenMasterFields = "name ip port runid flags link-pending-commands link-refcount last-ping-sent " +
		"last-ok-ping-reply last-ping-reply down-after-milliseconds info-refresh role-reported " +
		"role-reported-time config-epoch num-slaves num-other-sentinels quorum failover-timeout parallel-syncs"
	goldenReplicaFields = "name ip port runid flags link-pending-commands link-refcount last-ping-sent " +
		"last-ok-ping-reply last-ping-reply down-after-milliseconds info-refresh role-reported " +
		"role-reported-time master-link-down-time master-link-status master-host master-port " +
		"slave-priority slave-repl-offset replica-announced"
	goldenSentinelFields = "name ip port runid flags link-pending-commands link-refcount last-ping-sent " +
		"last-ok-ping-reply last-ping-reply down-after-milliseconds last-hello-message voted-leader voted-leader-epoch"
)

func fieldNames(t *testing.T, v resp.Value) (string, map[string]string) {
	t.Helper()
	if v.Kind != resp.KindMap || len(v.Elems)%2 != 0 {
		t.Fatalf("not a field map: %+v", v)
	}
	var names []string
	values := map[string]string{}
	for i := 0; i < len(v.Elems); i += 2 {
		if v.Elems[i].Kind != resp.KindBulkString || v.Elems[i+1].Kind != resp.KindBulkString {
			t.Fatalf("field %d is not a bulk string pair: %+v %+v", i/2, v.Elems[i], v.Elems[i+1])
		}
		names = append(names, v.Elems[i].Str)
		values[v.Elems[i].Str] = v.Elems[i+1].Str
	}
	return strings.Join(names, " "), values
}

func TestInstanceRepliesMatchGoldenFieldOrder(t *testing.T) {
	w, _, _, _ := setupThreeSentinels(t, 2)

	v, _ := w.s.Command([]string{"MASTER", "mymaster"}, w.now)
	names, vals := fieldNames(t, v)
	if names != goldenMasterFields {
		t.Errorf("MASTER fields\n got %s\nwant %s", names, goldenMasterFields)
	}
	if vals["flags"] != "master" || vals["num-slaves"] != "2" || vals["num-other-sentinels"] != "2" ||
		vals["quorum"] != "2" || vals["ip"] != "127.0.0.1" || vals["port"] != "6379" {
		t.Errorf("MASTER values %v", vals)
	}

	masters, _ := w.s.Command([]string{"masters"}, w.now)
	if masters.Kind != resp.KindArray || len(masters.Elems) != 1 {
		t.Fatalf("MASTERS: %+v", masters)
	}
	// redis-sentinel's test 11 reads num-other-sentinels at index 33 of the flat RESP2 list.
	if got := masters.Elems[0].Elems[32].Str + "=" + masters.Elems[0].Elems[33].Str; got != "num-other-sentinels=2" {
		t.Errorf("MASTERS[0] index 32/33: %s", got)
	}

	for _, sub := range []string{"REPLICAS", "slaves"} {
		v, _ = w.s.Command([]string{sub, "mymaster"}, w.now)
		if len(v.Elems) != 2 {
			t.Fatalf("%s: %d entries", sub, len(v.Elems))
		}
		names, vals = fieldNames(t, v.Elems[0])
		if names != goldenReplicaFields {
			t.Errorf("%s fields\n got %s\nwant %s", sub, names, goldenReplicaFields)
		}
		if vals["flags"] != "slave" || vals["master-link-status"] != "ok" || vals["name"] != "127.0.0.1:6380" {
			t.Errorf("%s values %v", sub, vals)
		}
	}

	v, _ = w.s.Command([]string{"sentinels", "mymaster"}, w.now)
	names, vals = fieldNames(t, v.Elems[0])
	if names != goldenSentinelFields {
		t.Errorf("SENTINELS fields\n got %s\nwant %s", names, goldenSentinelFields)
	}
	if vals["flags"] != "sentinel" || vals["voted-leader"] != "?" || vals["name"] != vals["runid"] {
		t.Errorf("SENTINELS values %v", vals)
	}
}

func TestCommandErrorsAndSimpleReplies(t *testing.T) {
	w, _, _, _ := setupThreeSentinels(t, 2)
	cases := []struct {
		args []string
		want resp.Value
	}{
		{[]string{"get-master-addr-by-name", "nosuch"}, resp.NullArray()},
		{[]string{"get-master-addr-by-name", "mymaster"}, resp.BulkStrings("127.0.0.1", "6379")},
		{[]string{"master", "nosuch"}, resp.Err("ERR No such master with that name")},
		{[]string{"failover", "nosuch"}, resp.Err("ERR No such master with that name")},
		{[]string{"ckquorum", "mymaster"}, resp.Simple("OK 3 usable Sentinels. Quorum and failover authorization can be reached")},
		{[]string{"is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"}, resp.Array(resp.Int(0), resp.Bulk("*"), resp.Int(0))},
		{[]string{"nosuch"}, resp.Err("ERR unknown subcommand 'nosuch'. Try SENTINEL HELP.")},
		{[]string{"masters", "x"}, resp.Err("ERR wrong number of arguments for 'sentinel|masters' command")},
		{[]string{"myid"}, resp.Bulk(strings.Repeat("a", 40))},
		{[]string{"set", "mymaster", "quorum", "0"}, resp.Err("ERR Invalid argument '0' for SENTINEL SET 'quorum'")},
		{[]string{"monitor", "mymaster", "127.0.0.1", "7000", "2"}, resp.Err("ERR Duplicate master name.")},
	}
	for _, c := range cases {
		got, _ := w.s.Command(c.args, w.now)
		if got.Kind != c.want.Kind || got.Str != c.want.Str || len(got.Elems) != len(c.want.Elems) {
			t.Errorf("SENTINEL %v = %+v, want %+v", c.args, got, c.want)
			continue
		}
		for i := range got.Elems {
			if got.Elems[i].Str != c.want.Elems[i].Str || got.Elems[i].Int != c.want.Elems[i].Int {
				t.Errorf("SENTINEL %v element %d = %+v, want %+v", c.args, i, got.Elems[i], c.want.Elems[i])
			}
		}
	}
	v, e := w.s.Command([]string{"set", "mymaster", "down-after-milliseconds", "700", "auth-pass", "s3cret"}, w.now)
	if !IsOK(v) || !e.Persist || w.s.Masters["mymaster"].Config.DownAfter.Milliseconds() != 700 {
		t.Fatalf("SET: %+v persist=%v", v, e.Persist)
	}
	for _, ev := range e.Events {
		if strings.Contains(ev.Msg, "s3cret") {
			t.Fatalf("password in event %q", ev.Msg)
		}
	}
}

func TestDebugAndInfoCache(t *testing.T) {
	w, _, _ := setupOneSentinel(t, 100)
	v, _ := w.s.Command([]string{"debug"}, w.now)
	if v.Kind != resp.KindMap || len(v.Elems) != 26 || v.Elems[0].Str != "INFO-PERIOD" || v.Elems[1].Str != "10000" {
		t.Fatalf("DEBUG: %+v", v)
	}
	if v, _ = w.s.Command([]string{"debug", "ping-period", "500", "info-period", "2000"}, w.now); !IsOK(v) {
		t.Fatalf("DEBUG set: %+v", v)
	}
	if w.s.Params.PingPeriod.Milliseconds() != 500 || w.s.Params.InfoPeriod.Milliseconds() != 2000 {
		t.Fatalf("params %+v", w.s.Params)
	}
	if v, _ = w.s.Command([]string{"debug", "ping-period", "x"}, w.now); v.Str != "ERR Invalid argument 'x' for SENTINEL DEBUG 'ping-period'" {
		t.Fatalf("bad value: %+v", v)
	}
	if v, _ = w.s.Command([]string{"debug", "nosuch", "1"}, w.now); !v.IsError() || w.s.Params.PingPeriod.Milliseconds() != 500 {
		t.Fatalf("unknown param: %+v", v)
	}
	v, _ = w.s.Command([]string{"info-cache", "mymaster"}, w.now)
	if len(v.Elems) != 2 || v.Elems[0].Str != "mymaster" || len(v.Elems[1].Elems) != 2 {
		t.Fatalf("INFO-CACHE: %+v", v)
	}
	for _, entry := range v.Elems[1].Elems {
		if len(entry.Elems) != 2 || entry.Elems[0].Kind != resp.KindInteger || !strings.Contains(entry.Elems[1].Str, "# Replication") {
			t.Fatalf("INFO-CACHE entry: %+v", entry)
		}
	}
}
