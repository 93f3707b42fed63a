package sentinel

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// sameRepliesPair is stock and ours monitoring one master with one replica, each seeing the
// other: the state in which their SENTINEL replies must match.
func sameRepliesPair(t *testing.T) (master *redistest.Server, st, ou *rawConn) {
	t.Helper()
	tp := newTopologyOneReplica(t)
	return tp.master, dialRaw(t, "stock", tp.sentinels[0].Addr()), dialRaw(t, "ours", tp.sentinels[1].Addr())
}

// Replies that do not depend on live timing must be byte-identical: errors for bad arguments,
// CONFIG GET, DEBUG, CKQUORUM, IS-MASTER-DOWN-BY-ADDR, and the effect of state changes
// made the same way on both.
func TestSameSentinelRepliesAsStock(t *testing.T) {
	master, st, ou := sameRepliesPair(t)
	mport := strconv.Itoa(master.Port())
	script := [][]string{
		{"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", mport, "0", "*"},
		{"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0", "*"},
		{"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "x", "0", "*"},
		{"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", mport, "x", "*"},
		{"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", mport, "0"},
		{"SENTINEL", "CKQUORUM", masterName}, {"SENTINEL", "CKQUORUM", "nosuch"},
		{"SENTINEL", "CONFIG", "GET", "*"}, {"SENTINEL", "CONFIG", "GET", "announce*"},
		{"SENTINEL", "CONFIG", "GET", "nosuch"}, {"SENTINEL", "CONFIG", "GET"}, {"SENTINEL", "CONFIG", "FOO"},
		{"SENTINEL", "CONFIG", "SET", "announce-port", "x"}, {"SENTINEL", "CONFIG", "SET", "nosuch", "1"},
		{"SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"},
		{"SENTINEL", "CONFIG", "SET", "announce-ip", "1.2.3.4", "announce-port", "5"},
		{"SENTINEL", "DEBUG"}, {"SENTINEL", "DEBUG", "ping-period"}, {"SENTINEL", "DEBUG", "nosuch", "1"},
		{"SENTINEL", "DEBUG", "ping-period", "0"}, {"SENTINEL", "DEBUG", "ping-period", "abc"},
		// Pairs before a bad one are applied, as sentinel.c does.
		{"SENTINEL", "DEBUG", "publish-period", "2500", "nosuch", "1"}, {"SENTINEL", "DEBUG"},
		{"SENTINEL", "DEBUG", "publish-period", "2000"},
		{"SENTINEL", "SET", masterName}, {"SENTINEL", "SET", masterName, "quorum"},
		{"SENTINEL", "SET", masterName, "quorum", "0"}, {"SENTINEL", "SET", masterName, "quorum", "x"},
		{"SENTINEL", "SET", masterName, "nosuch", "1"}, {"SENTINEL", "SET", "nosuch", "quorum", "1"},
		{"SENTINEL", "SET", masterName, "down-after-milliseconds", "-1"},
		{"SENTINEL", "SET", masterName, "master-reboot-down-after-period", "-1"},
		{"SENTINEL", "SET", masterName, "notification-script", "/bin/true"},
		{"SENTINEL", "SET", masterName, "rename-command"}, {"SENTINEL", "SET", masterName, "rename-command", "CONFIG"},
		{"SENTINEL", "SET", masterName, "parallel-syncs", "0"}, {"SENTINEL", "SET", masterName, "failover-timeout", "0"},
		{"SENTINEL", "MONITOR", masterName, "127.0.0.1", mport, "2"},
		{"SENTINEL", "MONITOR", "other", "127.0.0.1", "x", "2"}, {"SENTINEL", "MONITOR", "other", "127.0.0.1", "70000", "2"},
		{"SENTINEL", "MONITOR", "other", "127.0.0.1", "1", "0"}, {"SENTINEL", "MONITOR", "other", "127.0.0.1", "1", "x"},
		{"SENTINEL", "MONITOR", "other", "nosuchhost", "1", "1"}, {"SENTINEL", "MONITOR", "other", "127.0.0.1", "1"},
		{"SENTINEL", "REMOVE", "nosuch"}, {"SENTINEL", "RESET", "nosuch"}, {"SENTINEL", "FAILOVER", "nosuch"},
		{"SENTINEL", "INFO-CACHE", "nosuch"}, {"SENTINEL", "PENDING-SCRIPTS"},
		{"SENTINEL", "SIMULATE-FAILURE", "HELP"}, {"SENTINEL", "SIMULATE-FAILURE", "nosuch"},
		{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"}, {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName},
		{"SENTINEL", "MASTER", "nosuch"}, {"SENTINEL", "REPLICAS", "nosuch"}, {"SENTINEL", "SLAVES", "nosuch"},
		{"SENTINEL", "SENTINELS", "nosuch"}, {"SENTINEL", "MYID", "x"}, {"SENTINEL", "FLUSHCONFIG", "x"},
		{"SENTINEL", "HELP"}, {"SENTINEL", "HELP", "x"}, {"SENTINEL", "MASTERS", "x"},
		{"SENTINEL", "FAILOVER", masterName, "x"}, {"SENTINEL", "RESET"},
		// Options before a bad one: applied or not.
		{"SENTINEL", "SET", masterName, "quorum", "3", "parallel-syncs", "0"}, {"SENTINEL", "CKQUORUM", masterName},
		{"SENTINEL", "SET", masterName, "quorum", "2"},
		// A master on port 0 is accepted and never connected. (ROLE lists masters in
		// redis's dict order, which changes per process: asked with one master only.)
		{"ROLE"}, {"SENTINEL", "MONITOR", "zero", "127.0.0.1", "0", "1"},
		{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "zero"},
		{"SENTINEL", "FAILOVER", "zero"}, {"SENTINEL", "CKQUORUM", "zero"},
		{"SENTINEL", "SET", "zero", "quorum", "3", "parallel-syncs", "2"}, {"SENTINEL", "REMOVE", "zero"}, {"ROLE"},
	}
	// The same in RESP3 (maps, nulls), on connections that said HELLO 3; the script leaves
	// the state as it found it, so it runs twice.
	for _, proto := range []string{"2", "3"} {
		if proto == "3" {
			st, ou = dialRaw(t, "stock", st.nc.RemoteAddr().String()), dialRaw(t, "ours", ou.nc.RemoteAddr().String())
			st.do(t, "HELLO", "3")
			ou.do(t, "HELLO", "3")
		}
		for _, args := range script {
			want, got := st.do(t, args...), ou.do(t, args...)
			if want != got {
				t.Errorf("RESP%s %q\n stock: %q\n  ours: %q", proto, args, want, got)
			}
		}
	}
}

// liveFields carry timings, counters and ids that legitimately differ between two sentinels.
var liveFields = map[string]bool{
	"runid": true, "last-ping-sent": true, "last-ok-ping-reply": true, "last-ping-reply": true,
	"info-refresh": true, "role-reported-time": true, "last-hello-message": true,
	"link-pending-commands": true, "master-link-down-time": true, "slave-repl-offset": true,
}

// shape renders a flat field/value reply (RESP2) with live values masked: field names, their
// order, every value's RESP type, and the values that must agree.
func shape(t *testing.T, raw string, mask map[string]bool) string {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(raw))
	var walk func() string
	walk = func() string {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("bad reply %q: %v", raw, err)
		}
		n, _ := strconv.Atoi(line[1 : len(line)-2])
		switch line[0] {
		case '$':
			if n < 0 {
				return "$nil"
			}
			buf := make([]byte, n+2)
			if _, err := readFull(br, buf); err != nil {
				t.Fatal(err)
			}
			return "$" + string(buf[:n])
		case '*':
			var elems []string
			for i := 0; i < n; i++ {
				elems = append(elems, walk())
			}
			// A flat map: mask the live values by name.
			if n%2 == 0 && n > 0 && strings.HasPrefix(elems[0], "$name") {
				for i := 0; i+1 < n; i += 2 {
					if mask[strings.TrimPrefix(elems[i], "$")] {
						elems[i+1] = elems[i+1][:1] + "<live>"
					}
				}
			}
			return "[" + strings.Join(elems, " ") + "]"
		case ':':
			return ":<int>"
		}
		return strings.TrimRight(line, "\r\n")
	}
	return walk()
}

// SENTINEL MASTER/MASTERS/REPLICAS/SENTINELS and INFO-CACHE: same fields in the same order,
// every value a bulk string, same values wherever they are not live timings or ids.
func TestSameInstanceRepliesAsStock(t *testing.T) {
	_, st, ou := sameRepliesPair(t)
	sentinelMask := map[string]bool{"name": true, "ip": true, "port": true, "voted-leader": true}
	for k, v := range liveFields {
		sentinelMask[k] = v
	}
	for _, c := range []struct {
		args []string
		mask map[string]bool
	}{
		{[]string{"SENTINEL", "MASTER", masterName}, liveFields},
		{[]string{"SENTINEL", "MASTERS"}, liveFields},
		{[]string{"SENTINEL", "REPLICAS", masterName}, liveFields},
		{[]string{"SENTINEL", "SLAVES", masterName}, liveFields},
		{[]string{"SENTINEL", "SENTINELS", masterName}, sentinelMask},
	} {
		want, got := shape(t, st.do(t, c.args...), c.mask), shape(t, ou.do(t, c.args...), c.mask)
		if want != got {
			t.Errorf("%q\n stock: %s\n  ours: %s", c.args, want, got)
		}
	}
	// INFO-CACHE: [name, [[age, info], ...]]; the INFO texts are the same servers' but not
	// from the same moment.
	for _, args := range [][]string{{"SENTINEL", "INFO-CACHE", masterName}, {"SENTINEL", "INFO-CACHE", "nosuch"}} {
		if want, got := infoCacheShape(st.do(t, args...)), infoCacheShape(ou.do(t, args...)); want != got {
			t.Errorf("%q\n stock: %s\n  ours: %s", args, want, got)
		}
	}
}

// infoCacheShape keeps the framing of an INFO-CACHE reply: element types and array sizes, and
// whether each cached text is an INFO reply.
func infoCacheShape(raw string) string {
	br := bufio.NewReader(strings.NewReader(raw))
	var walk func() string
	walk = func() string {
		line, err := br.ReadString('\n')
		if err != nil {
			return "<eof>"
		}
		n, _ := strconv.Atoi(line[1 : len(line)-2])
		switch line[0] {
		case '$':
			if n < 0 {
				return "nil"
			}
			buf := make([]byte, n+2)
			_, _ = readFull(br, buf)
			if strings.HasPrefix(string(buf), "# Server") {
				return "$info"
			}
			return "$" + string(buf[:n])
		case '*':
			var e []string
			for i := 0; i < n; i++ {
				e = append(e, walk())
			}
			return fmt.Sprintf("*%d[%s]", n, strings.Join(e, " "))
		case ':':
			return ":int"
		}
		return strings.TrimSpace(line)
	}
	return walk()
}

func readFull(br *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := br.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// INFO's Sentinel section, with the live counters masked.
func TestSameInfoSentinelAsStock(t *testing.T) {
	_, st, ou := sameRepliesPair(t)
	mask := regexp.MustCompile(`sentinel_tilt_since_seconds:-?\d+`)
	for _, args := range [][]string{{"INFO", "sentinel"}, {"INFO", "SENTINEL"}} {
		w, g := mask.ReplaceAllString(st.do(t, args...), "tilt_since"), mask.ReplaceAllString(ou.do(t, args...), "tilt_since")
		if w != g {
			t.Errorf("%q\n stock: %q\n  ours: %q", args, w, g)
		}
	}
}

// failoverEvents records what one sentinel publishes (PSUBSCRIBE *) until stopped.
type failoverEvents struct {
	msgs <-chan *redis.Message
}

func subscribeEvents(t *testing.T, s *redistest.Sentinel) *failoverEvents {
	t.Helper()
	ps := s.SentinelClient().PSubscribe(context.Background(), "*")
	t.Cleanup(func() { _ = ps.Close() })
	if _, err := ps.Receive(context.Background()); err != nil {
		t.Fatalf("PSUBSCRIBE * on %s: %v", s.Addr(), err)
	}
	return &failoverEvents{msgs: ps.Channel(redis.WithChannelSize(1000))}
}

// epochs differ between the two runs (each failover bumps them): masked.
var epochPayload = regexp.MustCompile(`(^| )\d+$`)

// until collects events (channel -> masked payloads) until every one of stop has been seen.
func (f *failoverEvents) until(t *testing.T, mask *strings.Replacer, stop ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-f.msgs:
			p := mask.Replace(m.Payload)
			if m.Channel == "+new-epoch" || m.Channel == "+vote-for-leader" {
				p = epochPayload.ReplaceAllString(p, "$1<epoch>")
			}
			out[m.Channel] = append(out[m.Channel], p)
			seen := 0
			for _, s := range stop {
				if len(out[s]) > 0 {
					seen++
				}
			}
			if seen == len(stop) {
				return out
			}
		case <-deadline:
			t.Fatalf("not all of %v within 30 s; got %v", stop, out)
		}
	}
}

// The events of a failover carry stock's payloads: the leader's steps when each implementation
// leads, and the observer's adoption when the other leads. Only their order and the planned
// switchover's extra steps differ (docs/sentinel-differences.md), so the order is not compared.
func TestSameFailoverEventPayloadsAsStock(t *testing.T) {
	tp := newTopologyOneReplica(t)
	st, ou := tp.sentinels[0], tp.sentinels[1]
	ids := map[*redistest.Sentinel]string{}
	for _, s := range tp.sentinels {
		id, err := s.Client().Do(context.Background(), "SENTINEL", "MYID").Text()
		if err != nil {
			t.Fatal(err)
		}
		ids[s] = id
	}
	leaderSteps := []string{"+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
		"+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
		"+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves", "+switch-master", "+slave"}
	// (+failover-end is left out: ours publishes it after +switch-master, so it names the new
	// address where stock's names the old one; see docs/sentinel-differences.md.)
	observerSteps := []string{"+new-epoch", "+config-update-from", "+switch-master"}

	type run struct{ leader, observer map[string][]string }
	runs := map[sentinelKind]run{}
	oldMaster, promoted := tp.master.Process, tp.replicas[0].Process
	for i, leader := range []*redistest.Sentinel{st, ou} {
		observer := map[*redistest.Sentinel]*redistest.Sentinel{st: ou, ou: st}[leader]
		mask := strings.NewReplacer(ids[leader], "<leader-id>", ids[observer], "<observer-id>",
			strconv.Itoa(oldMaster.Port()), "<old-port>", strconv.Itoa(promoted.Port()), "<new-port>",
			strconv.Itoa(leader.Port()), "<leader-port>", strconv.Itoa(observer.Port()), "<observer-port>")
		le, oe := subscribeEvents(t, leader), subscribeEvents(t, observer)
		if err := leader.Client().Do(context.Background(), "SENTINEL", "FAILOVER", masterName).Err(); err != nil {
			t.Fatalf("SENTINEL FAILOVER on %s: %v", leader.Addr(), err)
		}
		r := run{leader: le.until(t, mask, "+failover-end", "+switch-master", "+slave"), observer: oe.until(t, mask, "+switch-master")}
		runs[[]sentinelKind{stock, ours}[i]] = r
		// The next failover starts from a settled group: both see the new master and its replica.
		redistest.WaitSentinelReady(t, 30*time.Second, masterName, promoted, 1, 1, st, ou)
		oldMaster, promoted = promoted, oldMaster
	}
	for _, step := range leaderSteps {
		if want, got := runs[stock].leader[step], runs[ours].leader[step]; !cmp.Equal(want, got) {
			t.Errorf("leader's %s: stock %q, ours %q", step, want, got)
		}
	}
	for _, step := range observerSteps {
		if want, got := runs[ours].observer[step], runs[stock].observer[step]; !cmp.Equal(want, got) {
			t.Errorf("observer's %s: stock %q, ours %q", step, want, got)
		}
	}
}

// newTopologyOneReplica is one master, one replica, and a stock and an ours sentinel that see
// each other.
func newTopologyOneReplica(t *testing.T) *topology {
	t.Helper()
	tp := &topology{master: redistest.StartServer(t, redistest.ServerOptions{})}
	tp.replicas = append(tp.replicas, redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: tp.master.Process}))
	redistest.WaitReplicaOnline(t, 20*time.Second, tp.master.Process, tp.replicas[0].Process)
	mon := []redistest.Monitor{{Name: masterName, Master: tp.master.Process, Quorum: 2, DownAfter: 5 * time.Second}}
	tp.sentinels = []*redistest.Sentinel{
		redistest.StartSentinel(t, redistest.SentinelOptions{Monitors: mon}),
		redistest.StartSentinel(t, redistest.SentinelOptions{Monitors: mon, Binary: oursBinary}),
	}
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, tp.master.Process, 1, 1, tp.sentinels...)
	return tp
}

// What each rewrites into its config file once it knows the replica and the other sentinel:
// the same sentinel directives with the same learned values (our layout differs on purpose,
// see docs/sentinel-differences.md, so lines are compared as a sorted set).
func TestSameConfigRewriteContentAsStock(t *testing.T) {
	tp := newTopologyOneReplica(t)
	ids := map[int]string{}
	for _, s := range tp.sentinels {
		id, err := s.Client().Do(context.Background(), "SENTINEL", "MYID").Text()
		if err != nil {
			t.Fatal(err)
		}
		ids[s.Port()] = id
	}
	content := map[sentinelKind]string{}
	for i, kind := range []sentinelKind{stock, ours} {
		s, other := tp.sentinels[i], tp.sentinels[1-i]
		mask := strings.NewReplacer(ids[s.Port()], "<own-id>", ids[other.Port()], "<other-id>",
			strconv.Itoa(other.Port()), "<other-port>")
		poll.Eventually(t, 20*time.Second, string(kind)+"'s config to record what it learned", func(context.Context) error {
			b, err := os.ReadFile(s.ConfPath())
			if err != nil {
				return err
			}
			var lines []string
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "sentinel ") {
					lines = append(lines, mask.Replace(l))
				}
			}
			sort.Strings(lines)
			content[kind] = strings.Join(lines, "\n")
			if !strings.Contains(content[kind], "known-sentinel") || !strings.Contains(content[kind], "known-replica") {
				return fmt.Errorf("file has:\n%s", content[kind])
			}
			return nil
		})
	}
	if diff := cmp.Diff(content[stock], content[ours]); diff != "" {
		t.Errorf("sentinel lines of the rewritten config (-stock +ours):\n%s", diff)
	}
}
