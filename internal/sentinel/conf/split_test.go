package conf

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitArgsFollowsSdssplitargs(t *testing.T) {
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
	}
	for _, c := range cases {
		got, err := SplitArgs(c.line)
		if err != nil {
			t.Errorf("SplitArgs(%q): %v", c.line, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("SplitArgs(%q) mismatch (-want +got):\n%s", c.line, diff)
		}
	}
}

func TestSplitArgsRejectsUnbalancedQuotes(t *testing.T) {
	for _, line := range []string{`"abc`, `'abc`, `"abc"def`, `'abc'def`, `"abc\"`, `a "b`} {
		if got, err := SplitArgs(line); err == nil {
			t.Errorf("SplitArgs(%q) = %q; want an error", line, got)
		}
	}
}

func TestQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{"plain", "", "with space", `q"uote`, "it's", `back\slash`, "\x00\x01\xff",
		"tab\there", "new\nline", "ünïcode", "#hash", "a\vb\fc", `\x41`} {
		got, err := SplitArgs("directive " + Quote(s))
		if err != nil {
			t.Errorf("SplitArgs(Quote(%q) = %s): %v", s, Quote(s), err)
			continue
		}
		if len(got) != 2 || got[1] != s {
			t.Errorf("SplitArgs(Quote(%q) = %s) = %q", s, Quote(s), got)
		}
	}
	if got := Quote("mymaster"); got != "mymaster" {
		t.Errorf("Quote(mymaster) = %s; plain words stay bare", got)
	}
}
