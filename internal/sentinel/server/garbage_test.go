package server

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

func TestProtocolErrorsCloseTheConnection(t *testing.T) {
	ts := startServer(t, Options{})
	cases := []struct {
		name, input, reply string
	}{
		{"huge multibulk count", "*2147483647\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"negative-overflow count", "*-99999999999999999999\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"huge bulk length", "*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"bulk over the server's cap", "*1\r\n$65537\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"missing dollar", "*1\r\nPING\r\n", "-ERR Protocol error: expected '$', got 'P'\r\n"},
		{"empty bulk header", "*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n"},
		{"unbalanced quotes", "PING \"oops\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"too big inline", strings.Repeat("A", 65*1024+1), "-ERR Protocol error: too big inline request\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ts.addr)
			// A valid command first: replies before the error are still delivered.
			c.send("PING\r\n" + tc.input)
			c.expect("+PONG\r\n" + tc.reply)
			c.expectClosed()
		})
	}
	// The server is unaffected.
	dial(t, ts.addr).roundTrip("+PONG\r\n", "PING")
}

func TestArityAndUnknownCommands(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	c.roundTrip("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b")
	c.roundTrip("-ERR wrong number of arguments for 'publish' command\r\n", "PUBLISH", "x")
	c.roundTrip("-ERR wrong number of arguments for 'role' command\r\n", "ROLE", "x")
	c.roundTrip("-ERR wrong number of arguments for 'client' command\r\n", "CLIENT")
	c.roundTrip("-ERR wrong number of arguments for 'client|setname' command\r\n", "CLIENT", "SETNAME")
	c.roundTrip("-ERR wrong number of arguments for 'sentinel' command\r\n", "SENTINEL")
	c.roundTrip("-ERR wrong number of arguments for 'sentinel|master' command\r\n", "SENTINEL", "MASTER")
	c.roundTrip("-ERR unknown subcommand 'bogus'. Try SENTINEL HELP.\r\n", "SENTINEL", "bogus")
	c.roundTrip("-ERR unknown command 'MULTI', with args beginning with: \r\n", "MULTI")
	// Redis quotes at most ~128 bytes of arguments and cuts the name at 128 bytes.
	long := strings.Repeat("n", 200)
	c.roundTrip("-ERR unknown command '"+long[:128]+"', with args beginning with: '"+strings.Repeat("a", 100)+"' '"+strings.Repeat("b", 25)+"' \r\n",
		long, strings.Repeat("a", 100), strings.Repeat("b", 50), "c")
	// Line breaks in arguments cannot break the reply's framing.
	c.roundTrip("-ERR unknown command 'GET', with args beginning with: 'a  b' \r\n", "GET", "a\r\nb")
	// Inline commands work like multibulk ones, including quoting.
	c.send("ping \"hello world\"\r\n")
	c.expect(bulk("hello world"))
	// Empty multibulks and blank lines are skipped without a reply.
	c.send("*0\r\n\r\n*-1\r\nPING\r\n")
	c.expect("+PONG\r\n")
}

// Random bytes must never crash the server or leave it unable to serve others: each garbage
// connection is answered (with replies or an error) and the server keeps working.
func TestRandomGarbage(t *testing.T) {
	ts := startServer(t, Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("*$+-:_,#%~>=(!|\r\n 0123456789-PINGpingQUIT\"'\\\x00\xff")
	for i := 0; i < 200; i++ {
		n := 1 + rng.IntN(512)
		buf := make([]byte, n)
		for j := range buf {
			if rng.IntN(4) == 0 {
				buf[j] = byte(rng.IntN(256))
			} else {
				buf[j] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		c := dial(t, ts.addr)
		c.send(string(buf))
		_ = c.nc.Close()
	}
	c := dial(t, ts.addr)
	c.roundTrip("+PONG\r\n", "PING")
	poll.Eventually(t, ioTimeout, "garbage connections to be cleaned up", ts.clientsConnected(1))
}
