package resp

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fuzzLimits are small so the fuzzer reaches every limit quickly.
var fuzzLimits = Limits{MaxBulkLen: 512, MaxMultiBulkLen: 64, MaxInlineLen: 512, MaxDepth: 4}

var commandSeeds = []string{
	"*2\r\n$4\r\nPING\r\n$5\r\nhello\r\n",
	"*0\r\n*-1\r\nPING\r\n",
	"PING \"a\\x41\" 'b\\'c'\r\n",
	"SET \"unbalanced\r\n",
	"*1\r\n:1\r\n",
	"*2147483647\r\n",
	"*1\r\n$999999999999\r\n",
	"\r\n\n",
	"*1\r\n$4\r\nPINGxx",
}

// FuzzReadCommand: any input either yields commands within the limits or an error, never a
// panic; every accepted command survives WriteCommand → ReadCommand unchanged.
func FuzzReadCommand(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bufio.NewReader(bytes.NewReader(data)), fuzzLimits)
		for {
			args, err := r.ReadCommand()
			if err != nil {
				return
			}
			if len(args) == 0 {
				t.Fatalf("ReadCommand returned an empty command for %q", data)
			}
			for _, a := range args {
				if len(a) > fuzzLimits.MaxInlineLen && int64(len(a)) > fuzzLimits.MaxBulkLen {
					t.Fatalf("argument of %d bytes exceeds the limits", len(a))
				}
			}
			var buf bytes.Buffer
			w := NewWriter(bufio.NewWriter(&buf))
			if err := w.WriteCommand(args...); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			// Inline commands may carry more arguments than a multibulk may declare (as in
			// redis); read the re-encoding back without that cap.
			again := NewReader(bufio.NewReader(&buf), Limits{MaxBulkLen: fuzzLimits.MaxBulkLen, MaxInlineLen: fuzzLimits.MaxInlineLen})
			got, err := again.ReadCommand()
			if err != nil {
				t.Fatalf("re-reading %q: %v", buf.String(), err)
			}
			if diff := cmp.Diff(args, got); diff != "" {
				t.Fatalf("round trip changed the command (-first +second):\n%s", diff)
			}
		}
	})
}

var valueSeeds = []string{
	"+OK\r\n", "-ERR x\r\n", ":-1\r\n", "$3\r\nfoo\r\n", "$-1\r\n", "*-1\r\n", "_\r\n", ",1.5\r\n",
	"#t\r\n", "(123\r\n", "=7\r\ntxt:abc\r\n", "!3\r\nERR\r\n", "%1\r\n+a\r\n:1\r\n", "~1\r\n:1\r\n",
	">2\r\n+a\r\n+b\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
	"*2147483647\r\n", "$999999999999\r\n", "+a\rb\r\n",
}

// FuzzReadValue: any input either yields values within the limits or an error, never a panic;
// every accepted value re-encodes in RESP3 to bytes that read back as the same value, and its
// RESP2 encoding is well-framed.
func FuzzReadValue(f *testing.F) {
	for _, s := range valueSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bufio.NewReader(bytes.NewReader(data)), fuzzLimits)
		for {
			v, err := r.ReadValue()
			if err != nil {
				return
			}
			checkLimits(t, v, 0)
			want := normalize(v)
			for _, proto := range []int{3, 2} {
				var buf bytes.Buffer
				w := NewWriter(bufio.NewWriter(&buf))
				if err := w.WriteValue(v, proto); err != nil {
					t.Fatal(err)
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				again := NewReader(bufio.NewReader(&buf), Limits{MaxBulkLen: 1 << 20, MaxMultiBulkLen: 1 << 20, MaxInlineLen: 1 << 20, MaxDepth: 64})
				got, err := again.ReadValue()
				if err != nil {
					t.Fatalf("re-reading RESP%d %q: %v", proto, buf.String(), err)
				}
				if again.Buffered() != 0 {
					t.Fatalf("RESP%d encoding %q has trailing bytes", proto, buf.String())
				}
				if proto == 3 {
					if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
						t.Fatalf("RESP3 round trip changed the value (-want +got):\n%s", diff)
					}
				}
			}
		}
	})
}

func checkLimits(t *testing.T, v Value, depth int) {
	t.Helper()
	switch v.Kind {
	case KindBulkString, KindVerbatim, KindBlobError:
		if int64(len(v.Str)) > fuzzLimits.MaxBulkLen {
			t.Fatalf("%s of %d bytes exceeds MaxBulkLen", v.Kind, len(v.Str))
		}
	case KindArray, KindMap, KindSet, KindPush:
		if depth+1 > fuzzLimits.MaxDepth {
			t.Fatalf("aggregate at depth %d exceeds MaxDepth", depth+1)
		}
		n := int64(len(v.Elems))
		if v.Kind == KindMap {
			n /= 2
		}
		if n > fuzzLimits.MaxMultiBulkLen {
			t.Fatalf("%s of %d elements exceeds MaxMultiBulkLen", v.Kind, n)
		}
		for _, e := range v.Elems {
			checkLimits(t, e, depth+1)
		}
	}
}

// normalize is what a RESP3 round trip legitimately changes: RESP3 has one null, and simple
// strings and errors cannot carry line breaks.
func normalize(v Value) Value {
	switch v.Kind {
	case KindNullArray:
		return Null()
	case KindSimpleString, KindError:
		v.Str = strings.NewReplacer("\r", " ", "\n", " ").Replace(v.Str)
	case KindArray, KindMap, KindSet, KindPush:
		elems := make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			elems[i] = normalize(e)
		}
		v.Elems = elems
	}
	return v
}
