package server

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

func TestClientCommands(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)

	c.do("CLIENT", "ID")
	id := c.value().Int
	if id <= 0 {
		t.Fatalf("CLIENT ID = %d, want a positive id", id)
	}
	c.roundTrip("$-1\r\n", "CLIENT", "GETNAME")
	c.roundTrip("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a b")
	c.roundTrip("+OK\r\n", "CLIENT", "SETNAME", "sentinel-59196203-cmd")
	c.roundTrip(bulk("sentinel-59196203-cmd"), "CLIENT", "GETNAME")

	c.do("CLIENT", "INFO")
	info := c.value().Str
	line := regexp.MustCompile(`^id=(\d+) addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=sentinel-59196203-cmd age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=\d+ rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r cmd=client\|info user=default redir=-1 resp=2\n$`)
	m := line.FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("CLIENT INFO = %q, does not have redis 7.0's fields", info)
	}
	if m[1] != strconv.FormatInt(id, 10) {
		t.Fatalf("CLIENT INFO id=%s, CLIENT ID said %d", m[1], id)
	}

	other := dial(t, ts.addr)
	other.roundTrip("*3\r\n"+bulk("subscribe")+bulk("x")+":1\r\n", "SUBSCRIBE", "x")

	c.do("CLIENT", "LIST")
	list := c.value().Str
	if n := strings.Count(list, "\n"); n != 2 {
		t.Fatalf("CLIENT LIST has %d lines, want 2:\n%s", n, list)
	}
	c.do("CLIENT", "LIST", "TYPE", "pubsub")
	pubsubList := c.value().Str
	if !strings.Contains(pubsubList, "flags=P") || !strings.Contains(pubsubList, "sub=1") || strings.Count(pubsubList, "\n") != 1 {
		t.Fatalf("CLIENT LIST TYPE pubsub = %q, want only the subscriber", pubsubList)
	}
	c.roundTrip("-ERR Unknown client type 'bogus'\r\n", "CLIENT", "LIST", "TYPE", "bogus")
	c.roundTrip("-ERR syntax error\r\n", "CLIENT", "LIST", "FOO")

	// KILL, old form: by address.
	otherAddr := other.nc.LocalAddr().String()
	c.roundTrip("-ERR No such client\r\n", "CLIENT", "KILL", "127.0.0.1:1")
	c.roundTrip("+OK\r\n", "CLIENT", "KILL", otherAddr)
	other.expectClosed()
	poll.Eventually(t, ioTimeout, "the killed client to be gone", ts.clientsConnected(1))

	// KILL, new form: filters.
	c.roundTrip("-ERR client-id should be greater than 0\r\n", "CLIENT", "KILL", "ID", "abc")
	c.roundTrip("-ERR Unknown client type 'bogus'\r\n", "CLIENT", "KILL", "TYPE", "bogus")
	c.roundTrip("-ERR No such user 'bob'\r\n", "CLIENT", "KILL", "USER", "bob")
	c.roundTrip("-ERR syntax error\r\n", "CLIENT", "KILL", "ID", "1", "TYPE")
	// With a single argument it is the old form, an address.
	c.roundTrip("-ERR No such client\r\n", "CLIENT", "KILL", "ID")
	c.roundTrip("-ERR syntax error\r\n", "CLIENT", "KILL", "SKIPME", "maybe")
	c.roundTrip(":0\r\n", "CLIENT", "KILL", "ADDR", "127.0.0.1:1")
	// SKIPME defaults to yes: a filter matching only oneself kills nobody.
	c.roundTrip(":0\r\n", "CLIENT", "KILL", "ID", strconv.FormatInt(id, 10))

	third := dial(t, ts.addr)
	third.roundTrip("+PONG\r\n", "PING")
	// The redis test suite's form: everyone, including the caller, who gets the reply first.
	c.roundTrip(":2\r\n", "CLIENT", "KILL", "USER", "default", "SKIPME", "no")
	c.expectClosed()
	third.expectClosed()
	poll.Eventually(t, ioTimeout, "all clients to be gone", ts.clientsConnected(0))
}

func TestClientReplyModes(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	c.do("CLIENT", "REPLY", "OFF")
	c.do("PING", "silenced")
	c.do("CLIENT", "REPLY", "ON")
	c.expect("+OK\r\n")
	c.do("CLIENT", "REPLY", "SKIP")
	c.do("PING", "skipped")
	c.roundTrip(bulk("shown"), "PING", "shown")
}
