package resp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// recorder keeps every byte read from the connection, so a reply's exact wire bytes can be
// compared with what Writer produces for the Value that Reader parsed from it.
type recorder struct {
	r   io.Reader
	buf bytes.Buffer
}

func (rec *recorder) Read(p []byte) (int, error) {
	n, err := rec.r.Read(p)
	rec.buf.Write(p[:n])
	return n, err
}

// TestRealRedisReplies reads every reply type a real redis-server 7.0.15 produces (DEBUG
// PROTOCOL) in RESP2 and RESP3, and checks that writing the parsed Value back gives redis's exact
// bytes. This is the round trip the engine relies on when it talks to Redis and relays replies.
func TestRealRedisReplies(t *testing.T) {
	srv := redistest.StartServer(t, redistest.ServerOptions{Directives: []string{"enable-debug-command yes"}})
	for _, proto := range []int{2, 3} {
		nc, err := net.DialTimeout("tcp", srv.Addr(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
		rec := &recorder{r: nc}
		r := NewReader(bufio.NewReaderSize(rec, 16), ClientLimits)
		w := NewWriter(bufio.NewWriter(nc))

		roundTrip := func(args ...string) []Value {
			t.Helper()
			if err := w.WriteCommand(args...); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			rec.buf.Reset()
			v, err := r.ReadValue()
			if err != nil {
				t.Fatalf("RESP%d %v: %v", proto, args, err)
			}
			values := []Value{v}
			if v.Kind == KindPush {
				// DEBUG PROTOCOL push follows the push with a normal reply.
				next, err := r.ReadValue()
				if err != nil {
					t.Fatalf("RESP%d %v: reply after push: %v", proto, args, err)
				}
				values = append(values, next)
			}
			if r.Buffered() != 0 {
				t.Fatalf("RESP%d %v: %d bytes left unparsed", proto, args, r.Buffered())
			}
			return values
		}

		roundTrip("HELLO", itoa(proto))
		for _, typ := range []string{"string", "integer", "double", "bignum", "null", "array", "set", "map",
			"verbatim", "true", "false", "push"} {
			if proto == 2 && typ == "push" {
				continue // redis refuses it in RESP2
			}
			values := roundTrip("DEBUG", "PROTOCOL", typ)
			raw := rec.buf.String()
			var again bytes.Buffer
			ww := NewWriter(bufio.NewWriter(&again))
			for _, v := range values {
				if err := ww.WriteValue(v, proto); err != nil {
					t.Fatal(err)
				}
			}
			_ = ww.Flush()
			if again.String() != raw {
				t.Errorf("RESP%d DEBUG PROTOCOL %s: redis sent %q, Writer re-encodes %q", proto, typ, raw, again.String())
			}
		}

		// An attribute is read for framing and dropped: the value after it is what remains.
		values := roundTrip("DEBUG", "PROTOCOL", "attrib")
		want := Bulk("Some real reply following the attribute")
		if diff := cmp.Diff([]Value{want}, values, equateEmpty); diff != "" {
			t.Errorf("RESP%d DEBUG PROTOCOL attrib (-want +got):\n%s", proto, diff)
		}
		// Error replies.
		if v := roundTrip("NOSUCHCOMMAND")[0]; v.Kind != KindError || v.Str[:4] != "ERR " {
			t.Errorf("RESP%d unknown command: got %+v, want an ERR error", proto, v)
		}
	}
}
