package sentinel

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// sameRepliesPair is stock and ours monitoring one master with one replica, each seeing the
// other: the state in which their SENTINEL replies must match.
func sameRepliesPair(t *testing.T) (master *redistest.Server, st, ou *rawConn) {
	t.Helper()
	tp := &topology{master: redistest.StartServer(t, redistest.ServerOptions{})}
	tp.replicas = append(tp.replicas, redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: tp.master.Process}))
	redistest.WaitReplicaOnline(t, 20*time.Second, tp.master.Process, tp.replicas[0].Process)
	mon := []redistest.Monitor{{Name: masterName, Master: tp.master.Process, Quorum: 2, DownAfter: 5 * time.Second}}
	s := redistest.StartSentinel(t, redistest.SentinelOptions{Monitors: mon})
	o := redistest.StartSentinel(t, redistest.SentinelOptions{Monitors: mon, Binary: oursBinary})
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, tp.master.Process, 1, 1, s, o)
	return tp.master, dialRaw(t, "stock", s.Addr()), dialRaw(t, "ours", o.Addr())
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
	for _, args := range script {
		want, got := st.do(t, args...), ou.do(t, args...)
		if want != got {
			t.Errorf("%q\n stock: %q\n  ours: %q", args, want, got)
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
