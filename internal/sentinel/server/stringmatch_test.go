package server

import (
	"strings"
	"testing"
)

// Cases follow redis's util.c stringmatchlen (and its unit tests).
func TestStringMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "+switch-master", true},
		{"*", "", false}, // redis quirk: the loop never runs on an empty string

		{"*", "a/b", true}, // unlike path.Match, '*' crosses '/'
		{"+*", "+sdown", true},
		{"+*", "-sdown", false},
		{"switch-master", "+switch-master", false},
		{"?sdown", "+sdown", true},
		{"[-+]sdown", "-sdown", true},
		{"[-+]sdown", "+sdown", true},
		{"[+-]sdown", "-sdown", false}, // "+-]" is a range up to ']', leaving the class open
		{"[^+]sdown", "+sdown", false},
		{"[a-c]x", "bx", true},
		{"[c-a]x", "bx", true}, // reversed ranges are swapped
		{"[a-c]x", "dx", false},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{`[\]]`, "]", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"**a", "xa", true},
		{"[abc", "a", true}, // unterminated class: redis treats the end as the close
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"a*", "a", true},
	}
	for _, tc := range cases {
		if got := stringMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("stringMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// A pathological pattern must finish quickly instead of backtracking exponentially or
// overflowing the stack.
func TestStringMatchPathological(t *testing.T) {
	pattern := strings.Repeat("a*", 2000) + "b"
	if stringMatch(pattern, strings.Repeat("a", 5000)) {
		t.Fatal("pattern without a match matched")
	}
}
