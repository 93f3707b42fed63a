package server

import (
	"strconv"
	"testing"
)

// The expected bytes in this file come from testdata/redis-sentinel-7.0.15/golden-replies.txt (repository root), captured from a
// real redis-sentinel 7.0.15. Only live values (client ids) are substituted.

func TestGoldenRESP2(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)

	c.roundTrip("+PONG\r\n", "PING")
	c.roundTrip(bulk("hello"), "PING", "hello")
	c.roundTrip("*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n", "ROLE")
	c.roundTrip(":15\r\n", "COMMAND", "COUNT")
	c.roundTrip("-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n", "CLIENT", "SETINFO", "LIB-NAME", "x")
	c.roundTrip("+OK\r\n", "CLIENT", "SETNAME", "foo")
	c.roundTrip("-ERR unknown command 'QUIT', with args beginning with: \r\n", "QUIT")
	c.roundTrip("-ERR Only HELLO messages are accepted by Sentinel instances.\r\n", "PUBLISH", "foo", "bar")
	c.roundTrip("-ERR unknown command 'SET', with args beginning with: 'a' 'b' \r\n", "SET", "a", "b")
	c.roundTrip("-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'port' \r\n", "CONFIG", "GET", "port")
	c.roundTrip("*-1\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch")
	c.roundTrip("*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6390\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
	c.roundTrip("*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6390", "0", "*")
	c.roundTrip("+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n", "SENTINEL", "CKQUORUM", "mymaster")
	c.roundTrip("-ERR No such master with that name\r\n", "SENTINEL", "FAILOVER", "nosuch")
}

func TestGoldenRESP3(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)

	c.do("CLIENT", "ID")
	id := c.value().Int
	c.roundTrip("%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"+
		strconv.FormatInt(id, 10)+"\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n", "HELLO", "3")
	c.roundTrip("_\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch")
	c.roundTrip("%20\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$4\r\n6390\r\n$5\r\nrunid\r\n$40\r\nfe1cc257f3086cf2840634ab7b349d08bc400086\r\n$5\r\nflags\r\n$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$2\r\n94\r\n$15\r\nlast-ping-reply\r\n$2\r\n94\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n2000\r\n$12\r\ninfo-refresh\r\n$4\r\n7385\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$4\r\n7389\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n2\r\n$19\r\nnum-other-sentinels\r\n$1\r\n2\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$5\r\n10000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n",
		"SENTINEL", "MASTER", "mymaster")
	c.roundTrip("+PONG\r\n", "PING")
	c.roundTrip("-ERR unknown command 'SET', with args beginning with: 'a' 'b' \r\n", "SET", "a", "b")
	c.roundTrip(">3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n", "SUBSCRIBE", "+switch-master")
	// RESP3 has no subscribed-mode restrictions and no special PING form.
	c.roundTrip("+PONG\r\n", "PING")
	c.roundTrip("*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n", "ROLE")
}

// goldenCommandList is COMMAND LIST of redis-sentinel 7.0.15, in its order.
var goldenCommandList = []string{
	"hello", "acl", "acl|dryrun", "acl|setuser", "acl|whoami", "acl|cat", "acl|deluser", "acl|list",
	"acl|save", "acl|getuser", "acl|genpass", "acl|help", "acl|load", "acl|users", "acl|log", "publish",
	"client", "client|reply", "client|kill", "client|getredir", "client|tracking", "client|getname",
	"client|setname", "client|list", "client|pause", "client|unpause", "client|trackinginfo",
	"client|help", "client|id", "client|caching", "client|info", "client|unblock", "client|no-evict",
	"punsubscribe", "subscribe", "unsubscribe", "auth", "sentinel", "sentinel|remove",
	"sentinel|is-master-down-by-addr", "sentinel|flushconfig", "sentinel|myid", "sentinel|monitor",
	"sentinel|config", "sentinel|replicas", "sentinel|help", "sentinel|get-master-addr-by-name",
	"sentinel|ckquorum", "sentinel|failover", "sentinel|pending-scripts", "sentinel|sentinels",
	"sentinel|debug", "sentinel|info-cache", "sentinel|reset", "sentinel|slaves", "sentinel|masters",
	"sentinel|set", "sentinel|master", "sentinel|simulate-failure", "shutdown", "command",
	"command|count", "command|list", "command|getkeys", "command|getkeysandflags", "command|help",
	"command|docs", "command|info", "role", "psubscribe", "info", "ping",
}

func TestCommandListMatchesRedisSentinel(t *testing.T) {
	if len(goldenCommandList) != 72 {
		t.Fatalf("golden list has %d entries, redis-sentinel 7.0.15 has 72", len(goldenCommandList))
	}
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	want := "*72\r\n"
	for _, name := range goldenCommandList {
		want += bulk(name)
	}
	c.roundTrip(want, "COMMAND", "LIST")
	c.roundTrip("*4\r\n"+bulk("publish")+bulk("punsubscribe")+bulk("psubscribe")+bulk("ping"), "COMMAND", "LIST", "FILTERBY", "PATTERN", "p*")
	c.roundTrip("*2\r\n"+bulk("sentinel|slaves")+bulk("sentinel|simulate-failure"), "COMMAND", "LIST", "FILTERBY", "PATTERN", "sentinel|s[^e]*")
}

func TestCommandIntrospection(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)

	c.do("COMMAND")
	all := c.value()
	if len(all.Elems) != 15 {
		t.Fatalf("COMMAND returned %d entries, want the 15 sentinel commands", len(all.Elems))
	}
	for _, e := range all.Elems {
		if len(e.Elems) != 10 || lookupCommand(e.Elems[0].Str) == nil {
			t.Fatalf("COMMAND entry %+v is not a 10-field entry of a sentinel command", e)
		}
	}
	c.do("COMMAND", "INFO", "ping", "nosuch", "client|setname")
	info := c.value()
	if len(info.Elems) != 3 || info.Elems[0].Elems[0].Str != "ping" || !info.Elems[1].IsNull() ||
		info.Elems[2].Elems[0].Str != "client|setname" || info.Elems[2].Elems[1].Int != 3 {
		t.Fatalf("COMMAND INFO ping nosuch client|setname = %+v", info)
	}
	c.do("COMMAND", "DOCS")
	if docs := c.value(); len(docs.Elems) != 2*15 {
		t.Fatalf("COMMAND DOCS has %d elements, want a name and a doc for each of 15 commands", len(docs.Elems))
	}
	c.do("COMMAND", "DOCS", "sentinel")
	docs := c.value()
	if len(docs.Elems) != 2 || docs.Elems[0].Str != "sentinel" {
		t.Fatalf("COMMAND DOCS sentinel = %+v", docs)
	}
}
