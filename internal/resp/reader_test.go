package resp

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadValueTypes(t *testing.T) {
	tests := []struct {
		raw  string
		want Value
	}{
		{"+OK\r\n", OK()},
		{"-ERR no\r\n", Err("ERR no")},
		{":-42\r\n", Int(-42)},
		{"$0\r\n\r\n", Bulk("")},
		{"$-1\r\n", Null()},
		{"*-1\r\n", NullArray()},
		{"_\r\n", Null()},
		{",3.25\r\n", Double("3.25")},
		{",-inf\r\n", Double("-inf")},
		{"#t\r\n", Bool(true)},
		{"#f\r\n", Bool(false)},
		{"(3492890328409238509324850943850943825024385\r\n", BigNumber("3492890328409238509324850943850943825024385")},
		{"=15\r\ntxt:Some string\r\n", Verbatim("txt", "Some string")},
		{"!21\r\nSYNTAX invalid syntax\r\n", Value{Kind: KindBlobError, Str: "SYNTAX invalid syntax"}},
		{"%1\r\n+k\r\n:1\r\n", Map(Simple("k"), Int(1))},
		{"~2\r\n:1\r\n:2\r\n", Set(Int(1), Int(2))},
		{">2\r\n$7\r\nmessage\r\n$1\r\nx\r\n", Push(Bulk("message"), Bulk("x"))},
		{"*2\r\n*1\r\n:1\r\n_\r\n", Array(Array(Int(1)), Null())},
		// An attribute is read for framing and dropped; the value after it is returned.
		{"|1\r\n+ttl\r\n:3600\r\n:7\r\n", Int(7)},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, decode(t, tt.raw, ClientLimits), equateEmpty); diff != "" {
			t.Errorf("ReadValue(%q) (-want +got):\n%s", tt.raw, diff)
		}
	}
}

func TestReadValueErrors(t *testing.T) {
	tests := []struct {
		raw     string
		limits  Limits
		wantErr string // substring; "" means a specific io error below
		wantIO  error
	}{
		{"?x\r\n", ClientLimits, "invalid reply type byte", nil},
		{"+OK\n", ClientLimits, "not terminated by CRLF", nil},
		{":12a\r\n", ClientLimits, "invalid integer", nil},
		{"#x\r\n", ClientLimits, "invalid boolean", nil},
		{",abc\r\n", ClientLimits, "invalid double", nil},
		{"(12x\r\n", ClientLimits, "invalid big number", nil},
		{"_x\r\n", ClientLimits, "invalid null", nil},
		{"$3\r\nabcXY", ClientLimits, "not terminated by CRLF", nil},
		{"$-2\r\n", ClientLimits, MsgInvalidBulkLength, nil},
		{"$999999999999\r\n", ClientLimits, MsgInvalidBulkLength, nil},
		{"*2147483648\r\n", ClientLimits, MsgInvalidMultiBulkLength, nil},
		{"~-1\r\n", ClientLimits, MsgInvalidMultiBulkLength, nil},
		{"=3\r\ntxt\r\n", ClientLimits, "invalid verbatim", nil},
		{"*3\r\n:1\r\n", ClientLimits, "", io.ErrUnexpectedEOF},
		{"$10\r\nabc", ClientLimits, "", io.ErrUnexpectedEOF},
		{"", ClientLimits, "", io.EOF},
		{"+" + strings.Repeat("a", 100) + "\r\n", Limits{MaxInlineLen: 50}, "too big reply line", nil},
		{"*1\r\n*1\r\n*1\r\n:1\r\n", Limits{MaxDepth: 2}, "nested deeper than 2", nil},
	}
	for _, tt := range tests {
		r := NewReader(bufio.NewReader(strings.NewReader(tt.raw)), tt.limits)
		_, err := r.ReadValue()
		switch {
		case tt.wantIO != nil:
			if !errors.Is(err, tt.wantIO) {
				t.Errorf("ReadValue(%q) = %v, want %v", tt.raw, err, tt.wantIO)
			}
		case err == nil || !IsProtocolError(err) || !strings.Contains(err.Error(), tt.wantErr):
			t.Errorf("ReadValue(%q) = %v, want protocol error containing %q", tt.raw, err, tt.wantErr)
		}
	}
}

func readCommands(raw string, limits Limits) ([][]string, error) {
	r := NewReader(bufio.NewReader(strings.NewReader(raw)), limits)
	var cmds [][]string
	for {
		args, err := r.ReadCommand()
		if err != nil {
			return cmds, err
		}
		cmds = append(cmds, args)
	}
}

func TestReadCommand(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want [][]string
	}{
		{"multibulk", "*2\r\n$4\r\nPING\r\n$5\r\nhello\r\n", [][]string{{"PING", "hello"}}},
		{"binary-safe argument", "*1\r\n$4\r\na\r\nb\r\n", [][]string{{"a\r\nb"}}},
		{"empty multibulks are skipped", "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}},
		{"pipelined", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nROLE\r\n", [][]string{{"PING"}, {"ROLE"}}},
		// Redis skips the two bytes after a bulk payload without checking them.
		{"bulk terminator unchecked", "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nROLE\r\n", [][]string{{"PING"}, {"ROLE"}}},
		{"inline", "PING hello\r\n", [][]string{{"PING", "hello"}}},
		{"inline LF only", "ping\n", [][]string{{"ping"}}},
		{"inline blank lines skipped", "\r\n\n  \r\nrole\r\n", [][]string{{"role"}}},
		{"inline double quotes", `set "a b" "\x41\n\"" x` + "\r\n", [][]string{{"set", "a b", "A\n\"", "x"}}},
		{"inline single quotes", `set 'it\'s' ''` + "\r\n", [][]string{{"set", "it's", ""}}},
		{"inline tabs", "a\tb   c\r\n", [][]string{{"a", "b", "c"}}},
		{"inline NUL ends the line", "PING\x00junk\r\n", [][]string{{"PING"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readCommands(tt.raw, ServerLimits)
			if !errors.Is(err, io.EOF) {
				t.Fatalf("ReadCommand error = %v, want io.EOF after the commands", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

// Each case is bytes redis 7.0 rejects, with the message redis replies (after "-ERR ").
func TestReadCommandProtocolErrors(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		unauth bool
		want   string
	}{
		{"count not a number", "*x\r\n", false, "Protocol error: invalid multibulk length"},
		{"count with plus", "*+1\r\n", false, "Protocol error: invalid multibulk length"},
		{"count leading zero", "*01\r\n", false, "Protocol error: invalid multibulk length"},
		{"count over the limit", "*2147483647\r\n", false, "Protocol error: invalid multibulk length"},
		{"count overflows int64", "*99999999999999999999\r\n", false, "Protocol error: invalid multibulk length"},
		{"missing dollar", "*1\r\n:1\r\n", false, "Protocol error: expected '$', got ':'"},
		{"bulk length negative", "*1\r\n$-1\r\n", false, "Protocol error: invalid bulk length"},
		{"bulk length huge", "*1\r\n$999999999999\r\n", false, "Protocol error: invalid bulk length"},
		{"bulk length over server cap", "*1\r\n$65537\r\n", false, "Protocol error: invalid bulk length"},
		{"unbalanced double quote", "SET \"a\r\n", false, "Protocol error: unbalanced quotes in request"},
		{"closing quote not followed by space", "SET \"a\"b\r\n", false, "Protocol error: unbalanced quotes in request"},
		{"unbalanced single quote", "SET 'a\r\n", false, "Protocol error: unbalanced quotes in request"},
		{"too big inline", strings.Repeat("a", 70*1024), false, "Protocol error: too big inline request"},
		{"too big count line", "*" + strings.Repeat("1", 70*1024), false, "Protocol error: too big mbulk count string"},
		{"too big bulk count line", "*1\r\n$" + strings.Repeat("1", 70*1024), false, "Protocol error: too big bulk count string"},
		{"unauthenticated count", "*11\r\n", true, "Protocol error: unauthenticated multibulk length"},
		{"unauthenticated bulk", "*1\r\n$16385\r\n", true, "Protocol error: unauthenticated bulk length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bufio.NewReader(strings.NewReader(tt.raw)), ServerLimits)
			r.SetUnauthenticated(tt.unauth)
			_, err := r.ReadCommand()
			if err == nil || !IsProtocolError(err) || err.Error() != tt.want {
				t.Fatalf("ReadCommand = %v, want protocol error %q", err, tt.want)
			}
		})
	}
}

func TestReadCommandTruncatedInput(t *testing.T) {
	for _, raw := range []string{"*2\r\n$4\r\nPING\r\n", "*1\r\n$4\r\nPI", "*1\r\n$4", "*1"} {
		_, err := readCommands(raw, ServerLimits)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("ReadCommand(%q) = %v, want io.ErrUnexpectedEOF", raw, err)
		}
	}
}

// allocatedDuring reports the bytes the Go heap handed out while f ran.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Declared lengths must cost nothing until the data arrives: a 2^31 element count or a 1 TB
// bulk length accepted by generous limits, followed by a few bytes and EOF, allocates only what
// was received.
func TestHugeDeclaredLengthsDoNotAllocate(t *testing.T) {
	generous := Limits{MaxBulkLen: 1 << 40, MaxMultiBulkLen: 1<<31 - 1, MaxInlineLen: 64 * 1024, MaxDepth: 64}
	const budget = 1 << 20
	cases := []struct {
		name string
		run  func() error
	}{
		{"command count", func() error {
			_, err := readCommands("*2147483647\r\n$1\r\na\r\n", generous)
			return err
		}},
		{"command bulk", func() error {
			_, err := readCommands("*1\r\n$999999999999\r\nabc", generous)
			return err
		}},
		{"reply array", func() error {
			_, err := NewReader(bufio.NewReader(strings.NewReader("*2147483647\r\n:1\r\n")), generous).ReadValue()
			return err
		}},
		{"reply map", func() error {
			_, err := NewReader(bufio.NewReader(strings.NewReader("%2147483647\r\n:1\r\n")), generous).ReadValue()
			return err
		}},
		{"reply bulk", func() error {
			_, err := NewReader(bufio.NewReader(strings.NewReader("$999999999999\r\nabc")), generous).ReadValue()
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			n := allocatedDuring(func() { err = c.run() })
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want io.ErrUnexpectedEOF", err)
			}
			if n > budget {
				t.Errorf("allocated %d bytes for a few bytes of input, want < %d", n, budget)
			}
		})
	}
}

// A deeply nested reply is refused at the depth limit instead of recursing (and allocating)
// once per level of garbage.
func TestDeepNestingRefused(t *testing.T) {
	raw := strings.Repeat("*1\r\n", 1_000_000) + ":1\r\n"
	var err error
	n := allocatedDuring(func() {
		_, err = NewReader(bufio.NewReader(strings.NewReader(raw)), ClientLimits).ReadValue()
	})
	if err == nil || !strings.Contains(err.Error(), "nested deeper than 64") {
		t.Fatalf("ReadValue = %v, want nesting error", err)
	}
	if n > 1<<20 {
		t.Errorf("allocated %d bytes refusing deep nesting, want < 1 MiB", n)
	}
}
