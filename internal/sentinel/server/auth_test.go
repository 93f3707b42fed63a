package server

import (
	"strconv"
	"testing"
)

const wrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n"

func TestAuthWithRequirePass(t *testing.T) {
	ts := startServer(t, Options{RequirePass: "s3cret", Users: []User{{Name: "alice", Password: "wonder"}}})
	c := dial(t, ts.addr)

	c.roundTrip("-NOAUTH Authentication required.\r\n", "PING")
	c.roundTrip("-NOAUTH Authentication required.\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
	// Existence and arity are checked before authentication, as in redis.
	c.roundTrip("-ERR unknown command 'SET', with args beginning with: 'a' 'b' \r\n", "SET", "a", "b")
	c.roundTrip("-ERR wrong number of arguments for 'subscribe' command\r\n", "SUBSCRIBE")
	c.roundTrip("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", "CLIENT", "FOO")
	c.roundTrip(wrongPass, "AUTH", "nope")
	c.roundTrip(wrongPass, "AUTH", "default", "nope")
	c.roundTrip(wrongPass, "AUTH", "nobody", "s3cret")
	c.roundTrip("-ERR syntax error\r\n", "AUTH", "a", "b", "c")
	c.roundTrip("-NOAUTH Authentication required.\r\n", "PING")
	c.roundTrip("+OK\r\n", "AUTH", "s3cret")
	c.roundTrip("+PONG\r\n", "PING")
	c.roundTrip(bulk("default"), "ACL", "WHOAMI")
	// A failed AUTH does not undo an earlier successful one.
	c.roundTrip(wrongPass, "AUTH", "wrong")
	c.roundTrip("+PONG\r\n", "PING")

	other := dial(t, ts.addr)
	other.roundTrip("+OK\r\n", "AUTH", "alice", "wonder")
	other.roundTrip(bulk("alice"), "ACL", "WHOAMI")
	other.roundTrip("*2\r\n"+bulk("default")+bulk("alice"), "ACL", "USERS")
}

func TestHelloAuth(t *testing.T) {
	ts := startServer(t, Options{RequirePass: "s3cret"})
	c := dial(t, ts.addr)

	c.roundTrip("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", "HELLO", "3")
	c.roundTrip(wrongPass, "HELLO", "3", "AUTH", "default", "wrong")
	// Still RESP2 and unauthenticated after the failures.
	c.roundTrip("-NOAUTH Authentication required.\r\n", "PING")

	c.do("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "myclient")
	v := c.value()
	if got := v.Elems[5].Int; got != 3 {
		t.Fatalf("HELLO proto = %d, want 3 (reply %+v)", got, v)
	}
	c.roundTrip(bulk("myclient"), "CLIENT", "GETNAME")
	c.roundTrip("_\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch")
}

func TestAuthWithoutRequirePass(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	c.roundTrip("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "x")
	// The default user is "nopass": any password is accepted for it by name.
	c.roundTrip("+OK\r\n", "AUTH", "default", "anything")
	c.roundTrip(wrongPass, "AUTH", "alice", "x")
}

func TestHelloErrors(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	c.roundTrip("-NOPROTO unsupported protocol version\r\n", "HELLO", "1")
	c.roundTrip("-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
	c.roundTrip("-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "three")
	c.roundTrip("-ERR Syntax error in HELLO option 'FOO'\r\n", "HELLO", "3", "FOO")
	c.roundTrip("-ERR Syntax error in HELLO option 'AUTH'\r\n", "HELLO", "3", "AUTH", "onlyuser")
	c.roundTrip("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "HELLO", "3", "SETNAME", "a b")
	// None of the failures switched the protocol.
	c.roundTrip("*-1\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch")

	// HELLO without a version keeps the current protocol and reports it.
	c.do("CLIENT", "ID")
	id := c.value().Int
	c.roundTrip("*12\r\n"+bulk("server")+bulk("redis")+bulk("version")+bulk("7.0.15")+bulk("proto")+":2\r\n"+
		bulk("id")+":"+strconv.FormatInt(id, 10)+"\r\n"+bulk("mode")+bulk("sentinel")+bulk("modules")+"*0\r\n", "HELLO")
}

// Before AUTH, redis 7.0 refuses large multibulk headers outright and closes the connection.
func TestUnauthenticatedLimits(t *testing.T) {
	ts := startServer(t, Options{RequirePass: "s3cret"})
	c := dial(t, ts.addr)
	c.send("*11\r\n")
	c.expect("-ERR Protocol error: unauthenticated multibulk length\r\n")
	c.expectClosed()

	c = dial(t, ts.addr)
	c.send("*2\r\n$4\r\nAUTH\r\n$16385\r\n")
	c.expect("-ERR Protocol error: unauthenticated bulk length\r\n")
	c.expectClosed()
}
