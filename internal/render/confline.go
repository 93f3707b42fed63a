package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A config line is a directive and its arguments in the syntax redis.conf and sentinel.conf share
// (redis's sdssplitargs). The schema already refuses bad customConfig entries; render checks
// them again and re-quotes every argument it writes, so that a value that got past the API
// server some other way (an older CRD, a direct etcd write) still cannot add a directive.

var directivePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// configLine is one parsed customConfig entry.
type configLine struct {
	directive string
	args      []string
}

// parseConfigLine parses one customConfig entry, field naming it in errors (e.g.
// "spec.redis.customConfig[2]").
func parseConfigLine(field, line string) (configLine, error) {
	for _, r := range line {
		if r < 0x20 || r == 0x7f {
			return configLine{}, fmt.Errorf("%s must be a single line: remove newlines, carriage returns, NUL and other control characters", field)
		}
	}
	directive, rest, ok := strings.Cut(line, " ")
	if !ok || !directivePattern.MatchString(directive) || rest == "" || rest[0] == ' ' {
		return configLine{}, fmt.Errorf("%s %q must be a lowercase directive, one space and a value, e.g. \"maxmemory 100mb\": fix the entry", field, line)
	}
	args, ok := splitArgs(rest)
	if !ok {
		return configLine{}, fmt.Errorf("%s %q has unbalanced quotes: close the quote or remove it", field, line)
	}
	if len(args) == 0 {
		return configLine{}, fmt.Errorf("%s %q has no value: add one", field, line)
	}
	return configLine{directive: directive, args: args}, nil
}

// String renders the line with every argument quoted as needed.
func (l configLine) String() string {
	var b strings.Builder
	b.WriteString(l.directive)
	for _, a := range l.args {
		b.WriteByte(' ')
		b.WriteString(quoteArg(a))
	}
	return b.String()
}

// safeArg matches arguments that need no quoting: nothing sdssplitargs treats specially.
var safeArg = regexp.MustCompile(`^[A-Za-z0-9._:/@%+,=*<>?!#&~^|\[\]{}()$-]+$`)

// quoteArg returns a so that sdssplitargs reads it back as exactly a: bare when it is plain,
// otherwise double-quoted with backslash, quote and every non-printable byte escaped.
func quoteArg(a string) string {
	if safeArg.MatchString(a) {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(c)>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(c)&0xf, 16))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// splitArgs splits s the way redis's sdssplitargs does: blanks separate arguments; "double
// quotes" take \xHH, \n, \r, \t, \b, \a and \<char> escapes; 'single quotes' take only \'. A
// closing quote must be followed by a blank or the end; otherwise, or for an unterminated quote,
// ok is false, which redis reports as "Unbalanced quotes in configuration line".
func splitArgs(s string) (args []string, ok bool) {
	p := 0
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for {
		for p < len(s) && isBlank(s[p]) {
			p++
		}
		if p >= len(s) {
			return args, true
		}
		var cur []byte
		inDouble, inSingle := false, false
		for done := false; !done; {
			c := at(p)
			switch {
			case inDouble:
				switch {
				case c == 0:
					return nil, false
				case c == '\\' && at(p+1) == 'x' && isHexDigit(at(p+2)) && isHexDigit(at(p+3)):
					cur = append(cur, hexValue(at(p+2))<<4|hexValue(at(p+3)))
					p += 3
				case c == '\\' && p+1 < len(s):
					p++
					cur = append(cur, unescape(s[p]))
				case c == '"':
					if p+1 < len(s) && !isBlank(s[p+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSingle:
				switch {
				case c == 0:
					return nil, false
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if p+1 < len(s) && !isBlank(s[p+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				switch {
				case p >= len(s) || isBlank(c):
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(s) {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	default:
		return c
	}
}
