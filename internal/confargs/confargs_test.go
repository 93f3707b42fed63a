package confargs

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitFollowsSdssplitargs(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{"sentinel monitor m 127.0.0.1 6379 2", []string{"sentinel", "monitor", "m", "127.0.0.1", "6379", "2"}},
		{"  a \t b  ", []string{"a", "b"}},
		{`a "b c" d`, []string{"a", "b c", "d"}},
		{`"\x41\x4a\x4A" "\n\r\t\b\a" "\"\\" "\q"`, []string{"AJJ", "\n\r\t\b\a", `"\`, "q"}},
		{`"\x4" "\xzz"`, []string{"x4", "xzz"}}, // not a hex escape: backslash drops, rest literal
		{`'it\'s' 'a\nb' 'x"y'`, []string{"it's", `a\nb`, `x"y`}},
		{`"" ''`, []string{"", ""}},
		{`ab"cd" e`, []string{"abcd", "e"}}, // a quote inside a bare word opens quoted mode
		{`back\slash`, []string{`back\slash`}},
		{"a\vb", []string{"a\vb"}}, // \v ends no bare word, though it is skipped between words
		{"", nil},
		{"PING\x00junk", []string{"PING"}},      // C string: a NUL ends the line
		{`"a\x00b" c`, []string{"a\x00b", "c"}}, // an escaped NUL is a byte of the argument
	}
	for _, c := range cases {
		got, err := Split(c.line)
		if err != nil {
			t.Errorf("Split(%q): %v", c.line, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("Split(%q) mismatch (-want +got):\n%s", c.line, diff)
		}
	}
}

func TestSplitRejectsUnbalancedQuotes(t *testing.T) {
	for _, line := range []string{`"abc`, `'abc`, `"abc"def`, `'abc'def`, `"abc\"`, `a "b`, "\"ab\x00c\""} {
		if got, err := Split(line); err == nil {
			t.Errorf("Split(%q) = %q; want an error", line, got)
		}
	}
}

func TestQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{"plain", "", "with space", `q"uote`, "it's", `back\slash`, "\x00\x01\xff",
		"tab\there", "new\nline", "ünïcode", "#hash", "a\vb\fc", `\x41`} {
		got, err := Split("directive " + Quote(s))
		if err != nil {
			t.Errorf("Split(Quote(%q) = %s): %v", s, Quote(s), err)
			continue
		}
		if len(got) != 2 || got[1] != s {
			t.Errorf("Split(Quote(%q) = %s) = %q", s, Quote(s), got)
		}
	}
	if got := Quote("mymaster"); got != "mymaster" {
		t.Errorf("Quote(mymaster) = %s; plain words stay bare", got)
	}
}

// FuzzQuote checks that any byte string survives quoting as one argument on one line: the
// property that keeps a user value from starting a second directive.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"x", "a b", `"\x00'`, "\n", "\\x4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, a string) {
		q := Quote(a)
		if strings.ContainsAny(q, "\r\n\x00") {
			t.Fatalf("Quote(%q) = %q spans lines", a, q)
		}
		got, err := Split(q)
		if err != nil || len(got) != 1 || got[0] != a {
			t.Fatalf("Split(Quote(%q)) = %q, %v", a, got, err)
		}
	})
}
