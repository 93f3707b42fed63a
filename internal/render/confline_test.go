package render

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitArgsMatchesRedis(t *testing.T) {
	// Expected splits follow redis's sdssplitargs (src/sds.c), including its refusals.
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{`100mb`, []string{"100mb"}, true},
		{`900 1 300 10`, []string{"900", "1", "300", "10"}, true},
		{`""`, []string{""}, true},
		{`"a b" c`, []string{"a b", "c"}, true},
		{`"\x41\n\"\\"`, []string{"A\n\"\\"}, true},
		{`'it\'s'`, []string{"it's"}, true},
		{`ab"cd ef"`, []string{"abcd ef"}, true},
		{`"unterminated`, nil, false},
		{`'unterminated`, nil, false},
		{`"closed"x`, nil, false},
		{`'closed'x`, nil, false},
	}
	for _, c := range cases {
		got, ok := splitArgs(c.in)
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestQuoteArgRoundTrips(t *testing.T) {
	for _, a := range []string{
		"plain", "", "two words", `"`, `'`, `\`, "tab\there", "new\nline", "nul\x00byte",
		"ünïcödé", "\xff\xfe", `requirepass" x`, "#comment", "a'b\"c\\d",
	} {
		got, ok := splitArgs(quoteArg(a))
		if !ok || len(got) != 1 || got[0] != a {
			t.Errorf("splitArgs(quoteArg(%q)) = %q, %v: want exactly [%q]", a, got, ok, a)
		}
		if q := quoteArg(a); strings.ContainsAny(q, "\r\n\x00") {
			t.Errorf("quoteArg(%q) = %q contains a raw line break or NUL", a, q)
		}
	}
}

// FuzzQuoteArg checks that any byte string survives quoting as one argument on one line: the
// property that keeps a user value from starting a second directive.
func FuzzQuoteArg(f *testing.F) {
	for _, s := range []string{"x", "a b", `"\x00'`, "\n", "\\x4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, a string) {
		q := quoteArg(a)
		if strings.ContainsAny(q, "\r\n\x00") {
			t.Fatalf("quoteArg(%q) = %q spans lines", a, q)
		}
		got, ok := splitArgs(q)
		if !ok || len(got) != 1 || got[0] != a {
			t.Fatalf("splitArgs(quoteArg(%q)) = %q, %v", a, got, ok)
		}
	})
}

func TestParseConfigLineRejects(t *testing.T) {
	cases := []struct{ line, wantErr string }{
		{"maxmemory 1mb\nreplicaof 10.0.0.1 6379", "single line"},
		{"maxmemory 1mb\rreplicaof x", "single line"},
		{"maxmemory 1mb\x00", "single line"},
		{"MAXMEMORY 1mb", "lowercase directive"},
		{"maxmemory", "lowercase directive"},
		{"maxmemory  1mb", "lowercase directive"},
		{" maxmemory 1mb", "lowercase directive"},
		{`maxmemory-policy "allkeys-lru`, "unbalanced quotes"},
	}
	for _, c := range cases {
		_, err := parseConfigLine("spec.redis.customConfig[3]", c.line)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "spec.redis.customConfig[3]") {
			t.Errorf("parseConfigLine(%q) error = %v; want one naming spec.redis.customConfig[3] and %q", c.line, err, c.wantErr)
		}
	}
}
