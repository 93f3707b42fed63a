package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// These tests send the same bytes to a real redis-sentinel 7.0.15 (Debian's, started by
// internal/redistest) and to this server, and require identical reply bytes. They cover every
// reply that does not depend on live state or on the engine (SENTINEL subcommands other than
// their existence/arity errors are the engine's and are tested there).

// step is one exchange: raw bytes to send and how many replies come back. closes means the
// server must close the connection after those replies (protocol errors).
type step struct {
	send    string
	replies int
	closes  bool
	// skip reads the replies without comparing them (live values such as client ids).
	skip bool
}

func cmd(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

func one(args ...string) step { return step{send: cmd(args...), replies: 1} }

// readRaw returns the exact bytes of one RESP reply.
func readRaw(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return line, err
	}
	if len(line) < 3 {
		return line, fmt.Errorf("short reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return line, nil // null bulk
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return line, err
		}
		return line + string(buf), nil
	case '*', '%', '~', '>':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return line, nil // null array
		}
		if line[0] == '%' {
			n *= 2
		}
		out := line
		for i := 0; i < n; i++ {
			elem, err := readRaw(br)
			out += elem
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return line, nil
}

type peer struct {
	name string
	nc   net.Conn
	br   *bufio.Reader
}

func dialPeer(t *testing.T, name, addr string) *peer {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatalf("dial %s at %s: %v", name, addr, err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &peer{name: name, nc: nc, br: bufio.NewReader(nc)}
}

func (p *peer) exchange(t *testing.T, s step) []string {
	t.Helper()
	_ = p.nc.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(p.nc, s.send); err != nil {
		t.Fatalf("%s: write %q: %v", p.name, s.send, err)
	}
	var replies []string
	for i := 0; i < s.replies; i++ {
		raw, err := readRaw(p.br)
		if err != nil {
			t.Fatalf("%s: reading reply %d to %q: got %q, %v", p.name, i, s.send, raw, err)
		}
		replies = append(replies, raw)
	}
	if s.closes {
		_, err := p.br.ReadByte()
		var ne net.Error
		if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("%s: connection still open after %q (err %v)", p.name, s.send, err)
		}
	}
	return replies
}

// compare runs script against both servers on fresh connections.
func compare(t *testing.T, real, ours string, script []step) {
	t.Helper()
	r, o := dialPeer(t, "redis-sentinel", real), dialPeer(t, "this server", ours)
	for _, s := range script {
		want := r.exchange(t, s)
		got := o.exchange(t, s)
		if s.skip {
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("reply %d to %q\n redis-sentinel: %q\n    this server: %q", i, s.send, want[i], got[i])
			}
		}
	}
}

func startBoth(t *testing.T, requirePass string) (real, ours string) {
	t.Helper()
	rs := redistest.StartRedisSentinel(t, redistest.SentinelOptions{RequirePass: requirePass})
	ts := startServer(t, Options{RequirePass: requirePass})
	ts.backend.mu.Lock()
	ts.backend.noMasters = true
	ts.backend.mu.Unlock()
	return rs.Addr(), ts.addr
}

func TestSameRepliesAsRedisSentinel(t *testing.T) {
	real, ours := startBoth(t, "")

	t.Run("connection and introspection", func(t *testing.T) {
		compare(t, real, ours, []step{
			one("PING"), one("PING", "hello"), one("PING", "a", "b"), one("ROLE"), one("ROLE", "x"),
			one("COMMAND", "COUNT"), one("COMMAND", "HELP"), one("COMMAND", "FOO"),
			one("COMMAND", "GETKEYS", "ping"), one("COMMAND", "GETKEYS", "ping", "x"), one("COMMAND", "GETKEYS", "nosuch", "x"),
			one("COMMAND", "GETKEYS", "subscribe", "x"), one("COMMAND", "GETKEYSANDFLAGS", "role", "x"),
			one("COMMAND", "INFO", "nosuch"), one("COMMAND", "DOCS", "nosuch"),
			one("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), one("COMMAND", "LIST", "FILTERBY", "BOGUS", "x"),
			one("CLIENT"), one("CLIENT", "HELP"), one("CLIENT", "SETINFO", "LIB-NAME", "x"),
			one("CLIENT", "GETNAME"), one("CLIENT", "SETNAME", "a b"), one("CLIENT", "SETNAME", "foo"),
			one("CLIENT", "GETNAME"), one("CLIENT", "SETNAME"), one("CLIENT", "GETREDIR"),
			one("CLIENT", "TRACKINGINFO"), one("CLIENT", "NO-EVICT", "on"), one("CLIENT", "UNPAUSE"),
			one("CLIENT", "LIST", "TYPE", "bogus"), one("CLIENT", "LIST", "FOO"), one("CLIENT", "LIST", "TYPE", "master"),
			one("CLIENT", "KILL", "1.2.3.4:5"), one("CLIENT", "KILL", "ID", "abc"), one("CLIENT", "KILL", "ID", "0"),
			one("CLIENT", "KILL", "ADDR", "1.2.3.4:5"), one("CLIENT", "KILL", "SKIPME", "maybe"),
			one("CLIENT", "KILL", "USER", "bob"), one("CLIENT", "KILL", "TYPE", "bogus"),
			one("CLIENT", "KILL", "ID", "1", "TYPE"), one("CLIENT", "REPLY", "bogus"),
			one("CLIENT", "UNBLOCK", "1"), one("CLIENT", "UNBLOCK", "abc"), one("CLIENT", "UNBLOCK", "1", "bogus"),
			one("CLIENT", "UNBLOCK", "1", "ERROR"), one("CLIENT", "PAUSE", "abc"), one("CLIENT", "PAUSE", "1", "bogus"),
			one("CLIENT", "PAUSE", "1", "WRITE"), one("CLIENT", "NO-EVICT", "bogus"), one("CLIENT", "CACHING", "yes"),
			one("CLIENT", "TRACKING", "bogus"), one("CLIENT", "TRACKING", "on"), one("CLIENT", "TRACKINGINFO"),
			one("CLIENT", "TRACKING", "off"), one("CLIENT", "TRACKINGINFO"), one("CLIENT", "REPLY", "ON"),
			one("ACL", "LIST"), one("ACL", "HELP"), one("ACL", "GETUSER", "default"), one("ACL", "GETUSER", "bob"),
			one("ACL", "CAT", "bogus"), one("ACL", "DRYRUN", "bob", "ping"), one("ACL", "DRYRUN", "default", "nosuch"),
			one("ACL", "DRYRUN", "default", "ping", "a", "b"), one("ACL", "DELUSER", "default"), one("ACL", "DELUSER", "bob"),
			one("ACL", "SAVE"), one("ACL", "LOAD"), one("ACL", "GENPASS", "0"), one("ACL", "GENPASS", "5000"),
			one("QUIT"), one("SET", "a", "b"), one("CONFIG", "GET", "port"), one("MULTI"),
			one("PUBLISH", "foo", "bar"), one("PUBLISH", "x"),
			one("AUTH", "x"), one("AUTH", "default", "x"), one("AUTH", "bob", "x"), one("AUTH", "a", "b", "c"),
			one("HELLO", "1"), one("HELLO", "4"), one("HELLO", "three"), one("HELLO", "3", "FOO"),
			one("HELLO", "3", "AUTH", "x"), one("HELLO", "3", "SETNAME", "a b"),
			one("SHUTDOWN", "bogus"), one("SHUTDOWN", "ABORT"), one("SHUTDOWN", "SAVE", "NOSAVE"),
			one("INFO", "nosuch"), one("INFO", "memory"), one("INFO", "sentinel"), one("INFO", "SENTINEL", "bogus"),
			one("ACL", "WHOAMI"), one("ACL", "CAT"), one("ACL", "USERS"), one("ACL", "GENPASS", "x"), one("ACL", "FOO"),
			one("SENTINEL"), one("SENTINEL", "MASTER"), one("SENTINEL", "bogus"), one("SENTINEL", "CONFIG"),
			one(strings.Repeat("n", 200), strings.Repeat("a", 100), strings.Repeat("b", 50), "c"),
			one("GET", "a\r\nb"),
			{send: "ping \"hello world\"\r\n", replies: 1},
			{send: "*0\r\n\r\n*-1\r\nPING\r\n", replies: 1},
			{send: "PING\r\nPING x\r\n", replies: 2},
		})
	})

	t.Run("pub/sub RESP2", func(t *testing.T) {
		compare(t, real, ours, []step{
			one("UNSUBSCRIBE"), one("PUNSUBSCRIBE"), one("SUBSCRIBE"),
			{send: cmd("SUBSCRIBE", "a", "b"), replies: 2},
			one("SUBSCRIBE", "a"), one("PING"), one("PING", "x"), one("ROLE"), one("CLIENT", "ID"),
			one("HELLO", "3"), one("QUIT"), one("SUBSCRIBE"),
			one("PSUBSCRIBE", "*"), {send: cmd("UNSUBSCRIBE", "b", "a", "c"), replies: 3},
			one("PUNSUBSCRIBE"), one("PING"),
		})
	})

	t.Run("CLIENT REPLY", func(t *testing.T) {
		compare(t, real, ours, []step{
			{send: cmd("CLIENT", "REPLY", "OFF") + cmd("PING", "silenced") + cmd("SET", "a", "b"), replies: 0},
			one("CLIENT", "REPLY", "ON"),
			{send: cmd("CLIENT", "REPLY", "SKIP") + cmd("PING", "skipped"), replies: 0},
			one("PING", "shown"),
		})
	})

	t.Run("RESP3", func(t *testing.T) {
		compare(t, real, ours, []step{
			{send: cmd("HELLO", "3"), replies: 1, skip: true},
			one("PING"), one("CLIENT", "GETNAME"), one("CLIENT", "TRACKINGINFO"), one("COMMAND", "DOCS", "nosuch"),
			one("INFO", "nosuch"), one("UNSUBSCRIBE"), one("SUBSCRIBE", "+switch-master"), one("PING"), one("ROLE"),
			one("PSUBSCRIBE", "+*"), one("PUNSUBSCRIBE", "+*"), one("UNSUBSCRIBE", "+switch-master"),
			one("HELLO", "2", "FOO"),
		})
	})

	// (*2147483647 is INT_MAX, which redis accepts and then waits for; this server caps the
	// count at resp.ServerLimits and refuses it, see TestProtocolErrorsCloseTheConnection.)
	protocolErrors := []string{
		"*2147483648\r\n", "*-99999999999999999999\r\n", "*1\r\n$999999999999\r\n", "*1\r\nPING\r\n",
		"*1\r\n$-1\r\n", "*x\r\n", "PING \"oops\r\n", "PING 'a'b\r\n", strings.Repeat("A", 65*1024+1),
	}
	for _, input := range protocolErrors {
		name := input
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run("protocol error "+strconv.Quote(name), func(t *testing.T) {
			compare(t, real, ours, []step{{send: "PING\r\n" + input, replies: 2, closes: true}})
		})
	}
}

func TestSameAuthRepliesAsRedisSentinel(t *testing.T) {
	real, ours := startBoth(t, "s3cret")
	compare(t, real, ours, []step{
		one("PING"), one("SET", "a", "b"), one("SUBSCRIBE"), one("CLIENT", "FOO"), one("SENTINEL", "MASTERS"),
		one("HELLO", "3"), one("HELLO", "3", "AUTH", "default", "nope"), one("AUTH", "nope"),
		one("AUTH", "default", "nope"), one("AUTH", "s3cret"), one("PING"), one("AUTH", "wrong"), one("PING"),
	})
	compare(t, real, ours, []step{{send: "*11\r\n", replies: 1, closes: true}})
	compare(t, real, ours, []step{{send: "*2\r\n$4\r\nAUTH\r\n$16385\r\n", replies: 1, closes: true}})
	compare(t, real, ours, []step{
		{send: cmd("HELLO", "3", "AUTH", "default", "s3cret"), replies: 1, skip: true},
		one("PING"), one("ACL", "WHOAMI"),
	})
}

// COMMAND INFO is static per command; COMMAND LIST's order is redis's dict order, which changes
// from run to run, so only its contents are compared.
func TestSameCommandTableAsRedisSentinel(t *testing.T) {
	real, ours := startBoth(t, "")
	var script []step
	for _, spec := range allCommandNames() {
		if len(spec.subs) == 0 {
			script = append(script, one("COMMAND", "INFO", spec.fullName))
		}
	}
	compare(t, real, ours, script)

	r, o := dialPeer(t, "redis-sentinel", real), dialPeer(t, "this server", ours)
	// Containers list their subcommands in redis's dict order, which changes from run to run:
	// compare everything else exactly and the subcommands as a set.
	for _, spec := range commandTable {
		if len(spec.subs) == 0 {
			continue
		}
		s := one("COMMAND", "INFO", spec.fullName)
		want, got := parseReply(t, r.exchange(t, s)[0]), parseReply(t, o.exchange(t, s)[0])
		w, g := want.Elems[0], got.Elems[0]
		if diff := cmp.Diff(w.Elems[:9], g.Elems[:9], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("COMMAND INFO %s (-redis-sentinel +this server):\n%s", spec.fullName, diff)
		}
		names := func(v resp.Value) []string {
			var out []string
			for _, sub := range v.Elems[9].Elems {
				out = append(out, sub.Elems[0].Str)
			}
			slices.Sort(out)
			return out
		}
		if diff := cmp.Diff(names(w), names(g)); diff != "" {
			t.Errorf("COMMAND INFO %s subcommands (-redis-sentinel +this server):\n%s", spec.fullName, diff)
		}
	}

	list := one("COMMAND", "LIST")
	if want, got := sortedLines(r.exchange(t, list)[0]), sortedLines(o.exchange(t, list)[0]); want != got {
		t.Errorf("COMMAND LIST contents differ\n redis-sentinel: %q\n    this server: %q", want, got)
	}
}

func parseReply(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(bufio.NewReader(strings.NewReader(raw)), resp.ClientLimits).ReadValue()
	if err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	return v
}

func sortedLines(raw string) string {
	lines := strings.Split(raw, "\r\n")
	slices.Sort(lines)
	return strings.Join(lines, "|")
}

// INFO, CLIENT INFO and HELLO carry live values; their shape (field names and order, types)
// must still be redis's.
func TestSameShapesAsRedisSentinel(t *testing.T) {
	real, ours := startBoth(t, "")
	r, o := dialPeer(t, "redis-sentinel", real), dialPeer(t, "this server", ours)

	infoKeys := func(raw string) string {
		var keys []string
		for _, l := range strings.Split(raw, "\r\n") {
			if k, _, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, "$") {
				keys = append(keys, k)
			} else if strings.HasPrefix(l, "#") {
				keys = append(keys, l)
			}
		}
		return strings.Join(keys, ",")
	}
	for _, sections := range [][]string{{}, {"server"}, {"clients"}, {"stats"}, {"cpu"}, {"sentinel"},
		{"all"}, {"everything"}, {"default"}, {"sentinel", "server"}, {"CPU", "nosuch", "Clients"}} {
		section := strings.Join(sections, " ")
		s := one(append([]string{"INFO"}, sections...)...)
		if want, got := infoKeys(r.exchange(t, s)[0]), infoKeys(o.exchange(t, s)[0]); want != got {
			t.Errorf("INFO %s fields differ\n redis-sentinel: %s\n    this server: %s", section, want, got)
		}
	}

	// CLIENT INFO: same field names in the same order, same framing (RESP2 bulk, RESP3 verbatim).
	clientKeys := func(raw string) string {
		header, body, _ := strings.Cut(raw, "\r\n")
		var keys []string
		for _, kv := range strings.Fields(body) {
			k, _, _ := strings.Cut(kv, "=")
			keys = append(keys, k)
		}
		return header[:1] + " " + strings.Join(keys, ",")
	}
	for _, proto := range []string{"2", "3"} {
		hello := one("HELLO", proto)
		maskID := func(raw string) string {
			return regexp.MustCompile(`\$2\r\nid\r\n:\d+\r\n`).ReplaceAllString(raw, "$$2\r\nid\r\n:ID\r\n")
		}
		if want, got := maskID(r.exchange(t, hello)[0]), maskID(o.exchange(t, hello)[0]); want != got {
			t.Errorf("HELLO %s differs\n redis-sentinel: %q\n    this server: %q", proto, want, got)
		}
		info := one("CLIENT", "INFO")
		if want, got := clientKeys(r.exchange(t, info)[0]), clientKeys(o.exchange(t, info)[0]); want != got {
			t.Errorf("CLIENT INFO (RESP%s) fields differ\n redis-sentinel: %s\n    this server: %s", proto, want, got)
		}
	}
}

// CLIENT KILL across connections: which clients match and what each side sees.
func TestSameClientKillAsRedisSentinel(t *testing.T) {
	real, ours := startBoth(t, "")
	type pair struct{ r, o *peer }
	conn := func() pair {
		return pair{dialPeer(t, "redis-sentinel", real), dialPeer(t, "this server", ours)}
	}
	run := func(p pair, s step) {
		t.Helper()
		want, got := p.r.exchange(t, s), p.o.exchange(t, s)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("reply %d to %q\n redis-sentinel: %q\n    this server: %q", i, s.send, want[i], got[i])
			}
		}
	}
	a, b := conn(), conn()
	run(a, one("SUBSCRIBE", "x"))
	run(b, one("CLIENT", "KILL", "TYPE", "normal"))
	run(b, one("CLIENT", "KILL", "TYPE", "pubsub"))
	run(a, step{replies: 0, closes: true})
	c := conn()
	run(c, one("PING"))
	run(b, one("CLIENT", "KILL", "USER", "default", "SKIPME", "no"))
	run(b, step{replies: 0, closes: true})
	run(c, step{replies: 0, closes: true})
}

// Event delivery: the real sentinel publishes +monitor when a master is added; Publish must
// frame the same event identically (message before pmessage, RESP2 arrays, RESP3 pushes).
func TestSameEventFramesAsRedisSentinel(t *testing.T) {
	rs := redistest.StartRedisSentinel(t, redistest.SentinelOptions{})
	ts := startServer(t, Options{})
	for _, proto := range []string{"2", "3"} {
		r, o := dialPeer(t, "redis-sentinel", rs.Addr()), dialPeer(t, "this server", ts.addr)
		for _, p := range []*peer{r, o} {
			p.exchange(t, step{send: cmd("HELLO", proto), replies: 1})
			p.exchange(t, one("SUBSCRIBE", "+monitor"))
			p.exchange(t, one("PSUBSCRIBE", "*"))
		}
		admin := dialPeer(t, "redis-sentinel admin", rs.Addr())
		name := "m" + proto
		admin.exchange(t, one("SENTINEL", "MONITOR", name, "127.0.0.1", "1", "1"))
		want := r.exchange(t, step{replies: 2})
		// The payload is the real one's: what is compared is the framing.
		payload := "master " + name + " 127.0.0.1 1 quorum 1"
		if !strings.Contains(want[0], payload) {
			t.Fatalf("redis-sentinel event %q does not carry %q", want[0], payload)
		}
		ts.Publish("+monitor", payload)
		got := o.exchange(t, step{replies: 2})
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("RESP%s event frame %d\n redis-sentinel: %q\n    this server: %q", proto, i, want[i], got[i])
			}
		}
	}
}

// redisLimits are redis-server's own input limits (proto-max-bulk-len 512 MiB, INT_MAX
// arguments), so that garbage is judged by the same caps on both sides.
var redisLimits = resp.Limits{MaxBulkLen: 512 << 20, MaxMultiBulkLen: 1<<31 - 1, MaxInlineLen: 64 << 10}

// Random input, then a half-close: both servers must send exactly the same bytes before closing
// (replies to whatever parsed, then a protocol error or nothing). NUL bytes are left out: redis
// scans lines with strchr, so a NUL makes it wait for more input, a C artefact not reproduced.
func TestSameGarbageHandlingAsRedisSentinel(t *testing.T) {
	// With a password, the unauthenticated caps and NOAUTH come into play.
	for _, pass := range []string{"", "s3cret"} {
		t.Run("requirepass="+pass, func(t *testing.T) { sameGarbageHandling(t, pass) })
	}
}

func sameGarbageHandling(t *testing.T, requirePass string) {
	rs := redistest.StartRedisSentinel(t, redistest.SentinelOptions{RequirePass: requirePass})
	ts := startServer(t, Options{ReadLimits: redisLimits, RequirePass: requirePass})
	ts.backend.mu.Lock()
	ts.backend.noMasters = true
	ts.backend.mu.Unlock()
	rng := rand.New(rand.NewPCG(7, 11))
	// Fragments of valid and invalid framing, so that inputs reach every parser path.
	tokens := []string{
		"*1\r\n", "*2\r\n", "*0\r\n", "*-1\r\n", "*01\r\n", "*+1\r\n", "*2147483648\r\n",
		"$4\r\n", "$3\r\n", "$0\r\n", "$-1\r\n", "$04\r\n", "$99999999999\r\n",
		"*11\r\n", "$16385\r\n", "*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n", "AUTH s3cret\r\n",
		"PING", "ping", "ROLE", "SUBSCRIBE", "x", "\r\n", "\r\n", "\n", "\r", " ", "\t",
		"\"", "'", "\\", "\\x41", "*", "$", ":", "0", "9",
	}
	const inputs = 600
	answered := 0
	for i := 0; i < inputs; i++ {
		var b strings.Builder
		for n := 1 + rng.IntN(24); n > 0; n-- {
			if rng.IntN(6) == 0 {
				b.WriteByte(byte(1 + rng.IntN(255)))
			} else {
				b.WriteString(tokens[rng.IntN(len(tokens))])
			}
		}
		buf := []byte(b.String())
		want := sendAndDrain(t, rs.Addr(), buf)
		got := sendAndDrain(t, ts.addr, buf)
		if want != "" {
			answered++
		}
		if got != want {
			t.Errorf("input %q\n redis-sentinel: %q\n    this server: %q", buf, want, got)
		}
	}
	// The generator must keep exercising the parser: most inputs should get some reply.
	if answered < inputs/2 {
		t.Fatalf("only %d of %d random inputs got any reply; the generator no longer reaches the parser", answered, inputs)
	}
	t.Logf("%d of %d random inputs answered identically by both servers", answered, inputs)
}

// sendAndDrain writes input, half-closes, and returns everything the server sends until it closes.
func sendAndDrain(t *testing.T, addr string, input []byte) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := nc.Write(input); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := nc.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatalf("half-close: %v", err)
	}
	out, err := io.ReadAll(nc)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s did not close the connection after input %q (sent %q)", addr, input, out)
	}
	return string(out)
}

// Random pub/sub command sequences, in both protocols: confirmations, counts, subscribed-mode
// restrictions and PING forms must match redis-sentinel step by step. UNSUBSCRIBE without
// arguments is left out: redis walks its channel dict in hash order, which changes per process.
func TestSamePubSubSequencesAsRedisSentinel(t *testing.T) {
	real, ours := startBoth(t, "")
	rng := rand.New(rand.NewPCG(3, 5))
	names := []string{"a", "b", "+switch-master", "*", "+*", "a*"}
	for round := 0; round < 20; round++ {
		proto := []string{"2", "3"}[round%2]
		script := []step{{send: cmd("HELLO", proto), replies: 1, skip: true}}
		patterns := map[string]bool{}
		for i := 0; i < 30; i++ {
			var args []string
			for n := rng.IntN(3); n >= 0; n-- {
				args = append(args, names[rng.IntN(len(names))])
			}
			switch op := rng.IntN(7); op {
			case 0:
				script = append(script, step{send: cmd(append([]string{"SUBSCRIBE"}, args...)...), replies: len(args)})
			case 1:
				script = append(script, step{send: cmd(append([]string{"UNSUBSCRIBE"}, args...)...), replies: len(args)})
			case 2:
				for _, p := range args {
					patterns[p] = true
				}
				script = append(script, step{send: cmd(append([]string{"PSUBSCRIBE"}, args...)...), replies: len(args)})
			case 3:
				for _, p := range args {
					delete(patterns, p)
				}
				script = append(script, step{send: cmd(append([]string{"PUNSUBSCRIBE"}, args...)...), replies: len(args)})
			case 4:
				script = append(script, step{send: cmd("PUNSUBSCRIBE"), replies: max(1, len(patterns))})
				patterns = map[string]bool{}
			case 5:
				script = append(script, one("PING"), one("PING", args[0]))
			case 6:
				script = append(script, one("ROLE"))
			}
		}
		compare(t, real, ours, script)
	}
}
