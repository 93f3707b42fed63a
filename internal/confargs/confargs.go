// Package confargs reads and writes redis's argument syntax (sdssplitargs and sdscatrepr), which
// redis.conf, sentinel.conf and inline commands share. It is the one implementation used where
// the operator renders user values into config files, where the sentinel parses and rewrites its
// own file, and where the RESP reader splits an inline command, so that quoting, and with it
// config injection, is decided in exactly one place.
package confargs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnbalancedQuotes is what redis reports as "Unbalanced quotes in configuration line".
var ErrUnbalancedQuotes = errors.New("unbalanced quotes")

// Split splits a config line into arguments exactly like redis's sdssplitargs: blanks separate
// arguments; "double quotes" understand \xHH, \n, \r, \t, \b, \a and \<char>; 'single quotes'
// understand only \'; a closing quote must be followed by a blank or the end of the line. As in
// C, where the line is a NUL-terminated string, a NUL byte ends the line.
func Split(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	var args []string
	i, n := 0, len(line)
	for {
		for i < n && isSpace(line[i]) {
			i++
		}
		if i >= n {
			return args, nil
		}
		var cur []byte
		inDouble, inSingle := false, false
		for done := false; !done; {
			switch {
			case inDouble:
				if i >= n {
					return nil, ErrUnbalancedQuotes
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < n && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, unhex(line[i+2])<<4|unhex(line[i+3]))
					i += 3
				case c == '\\' && i+1 < n:
					i++
					cur = append(cur, unescape(line[i]))
				case c == '"':
					if i+1 < n && !isSpace(line[i+1]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSingle:
				if i >= n {
					return nil, ErrUnbalancedQuotes
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < n && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < n && !isSpace(line[i+1]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				if i >= n {
					done = true
					break
				}
				switch c := line[i]; c {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			if i < n {
				i++
			}
		}
		args = append(args, string(cur))
	}
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	default:
		return c - '0'
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

// Quote renders one argument so that Split (and redis) read it back unchanged: bare when that
// is unambiguous, otherwise in double quotes with the escapes of redis's sdscatrepr.
func Quote(s string) string {
	if isBare(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < ' ' || c > '~' {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func isBare(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '"' || c == '\'' {
			return false
		}
	}
	return true
}

// Join renders a config line from its arguments.
func Join(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = Quote(a)
	}
	return strings.Join(q, " ")
}
