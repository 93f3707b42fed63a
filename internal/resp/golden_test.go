package resp

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// equateEmpty treats nil and empty Elems alike: a built reply has nil, a parsed one a slice.
var equateEmpty = cmpopts.EquateEmpty()

func encode(t *testing.T, v Value, proto int) string {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(bufio.NewWriter(&buf))
	if err := w.WriteValue(v, proto); err != nil {
		t.Fatalf("WriteValue: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return buf.String()
}

func decode(t *testing.T, raw string, limits Limits) Value {
	t.Helper()
	r := NewReader(bufio.NewReader(strings.NewReader(raw)), limits)
	v, err := r.ReadValue()
	if err != nil {
		t.Fatalf("ReadValue(%q): %v", raw, err)
	}
	if r.Buffered() != 0 {
		t.Fatalf("ReadValue(%q) left %d bytes unread", raw, r.Buffered())
	}
	return v
}

// The raw bytes below are copied from the end of testdata/redis-sentinel-7.0.15/golden-replies.txt (repository root), captured
// from a real redis-sentinel 7.0.15.
func TestGoldenRawBytes(t *testing.T) {
	master := FieldMap([]Field{
		{"name", "mymaster"}, {"ip", "127.0.0.1"}, {"port", "6390"},
		{"runid", "fe1cc257f3086cf2840634ab7b349d08bc400086"}, {"flags", "master"},
		{"link-pending-commands", "0"}, {"link-refcount", "1"}, {"last-ping-sent", "0"},
		{"last-ok-ping-reply", "94"}, {"last-ping-reply", "94"}, {"down-after-milliseconds", "2000"},
		{"info-refresh", "7385"}, {"role-reported", "master"}, {"role-reported-time", "7389"},
		{"config-epoch", "0"}, {"num-slaves", "2"}, {"num-other-sentinels", "2"}, {"quorum", "2"},
		{"failover-timeout", "10000"}, {"parallel-syncs", "1"},
	})
	tests := []struct {
		name  string
		value Value
		proto int
		raw   string
		// read is what ReadValue gives back for raw, when it differs from value.
		read *Value
	}{
		{"get-master-addr nosuch resp2", NullArray(), 2, "*-1\r\n", nil},
		{"get-master-addr mymaster", BulkStrings("127.0.0.1", "6390"), 2, "*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6390\r\n", nil},
		{"is-master-down-by-addr", Array(Int(0), Bulk("*"), Int(0)), 2, "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", nil},
		{"role", Array(Bulk("sentinel"), BulkStrings("mymaster")), 2, "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n", nil},
		{"ckquorum", Simple("OK 3 usable Sentinels. Quorum and failover authorization can be reached"), 2,
			"+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n", nil},
		{"failover nosuch", Err("ERR No such master with that name"), 2, "-ERR No such master with that name\r\n", nil},
		{"hello 3", Map(Bulk("server"), Bulk("redis"), Bulk("version"), Bulk("7.0.15"), Bulk("proto"), Int(3),
			Bulk("id"), Int(36), Bulk("mode"), Bulk("sentinel"), Bulk("modules"), Array()), 3,
			"%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:36\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n", nil},
		{"get-master-addr nosuch resp3", NullArray(), 3, "_\r\n", ptr(Null())},
		{"sentinel master resp3", master, 3,
			"%20\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$4\r\n6390\r\n$5\r\nrunid\r\n$40\r\nfe1cc257f3086cf2840634ab7b349d08bc400086\r\n$5\r\nflags\r\n$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$2\r\n94\r\n$15\r\nlast-ping-reply\r\n$2\r\n94\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n2000\r\n$12\r\ninfo-refresh\r\n$4\r\n7385\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$4\r\n7389\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n2\r\n$19\r\nnum-other-sentinels\r\n$1\r\n2\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$5\r\n10000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n", nil},
		{"subscribe resp3", Push(Bulk("subscribe"), Bulk("+switch-master"), Int(1)), 3,
			">3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := encode(t, tt.value, tt.proto); got != tt.raw {
				t.Errorf("WriteValue(proto %d)\n got %q\nwant %q", tt.proto, got, tt.raw)
			}
			want := tt.value
			if tt.read != nil {
				want = *tt.read
			}
			if diff := cmp.Diff(want, decode(t, tt.raw, ClientLimits), equateEmpty); diff != "" {
				t.Errorf("ReadValue(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

func ptr(v Value) *Value { return &v }

// RESP2 has no map, set, push, null, double, boolean, big number or verbatim: each is downgraded
// the way redis 7.0 does it.
func TestWriteRESP2Downgrades(t *testing.T) {
	tests := []struct {
		name  string
		value Value
		resp2 string
		resp3 string
	}{
		{"map", Map(Bulk("a"), Int(1)), "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"set", Set(Bulk("a")), "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
		{"push", Push(Bulk("message"), Bulk("c"), Bulk("m")), "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n", ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n"},
		{"null", Null(), "$-1\r\n", "_\r\n"},
		{"null array", NullArray(), "*-1\r\n", "_\r\n"},
		{"double", Double("1.5"), "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"double inf", Double("inf"), "$3\r\ninf\r\n", ",inf\r\n"},
		{"true", Bool(true), ":1\r\n", "#t\r\n"},
		{"false", Bool(false), ":0\r\n", "#f\r\n"},
		{"big number", BigNumber("-12345678901234567890"), "$21\r\n-12345678901234567890\r\n", "(-12345678901234567890\r\n"},
		{"verbatim", Verbatim("txt", "# Server\r\n"), "$10\r\n# Server\r\n\r\n", "=14\r\ntxt:# Server\r\n\r\n"},
		{"verbatim default format", Verbatim("", "x"), "$1\r\nx\r\n", "=5\r\ntxt:x\r\n"},
		{"blob error", Value{Kind: KindBlobError, Str: "ERR a\r\nb"}, "-ERR a  b\r\n", "!8\r\nERR a\r\nb\r\n"},
		{"error line breaks", Err("ERR bad\r\nthing"), "-ERR bad  thing\r\n", "-ERR bad  thing\r\n"},
		{"empty array", Array(), "*0\r\n", "*0\r\n"},
		{"odd map refused", Map(Bulk("a")), "-ERR internal error: map with an odd number of elements\r\n", "-ERR internal error: map with an odd number of elements\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := encode(t, tt.value, 2); got != tt.resp2 {
				t.Errorf("RESP2: got %q, want %q", got, tt.resp2)
			}
			if got := encode(t, tt.value, 3); got != tt.resp3 {
				t.Errorf("RESP3: got %q, want %q", got, tt.resp3)
			}
		})
	}
}

func TestWriteCommand(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(bufio.NewWriter(&buf))
	if err := w.WriteCommand("SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6391", "4", "*"); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "*6\r\n$8\r\nSENTINEL\r\n$22\r\nis-master-down-by-addr\r\n$9\r\n127.0.0.1\r\n$4\r\n6391\r\n$1\r\n4\r\n$1\r\n*\r\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}
