package server

// maxMatchNesting bounds the recursion of '*' (redis does the same since CVE-2022-36021), so a
// hostile pattern like "a*a*a*...b" cannot exhaust the stack.
const maxMatchNesting = 1000

// stringMatch reports whether s matches the glob pattern with redis's exact semantics
// (util.c stringmatchlen): '*' and '?' also match '/', '[...]' classes support '^' negation,
// ranges and '\' escapes, and '\' escapes any character. PSUBSCRIBE and COMMAND LIST FILTERBY
// PATTERN use it, so patterns behave as they do against redis.
func stringMatch(pattern, s string) bool {
	skip := false
	return matchImpl(pattern, s, &skip, 0)
}

func matchImpl(pattern, s string, skipLonger *bool, nesting int) bool {
	if nesting > maxMatchNesting {
		return false
	}
	p, i := 0, 0
	for p < len(pattern) && i < len(s) {
		switch pattern[p] {
		case '*':
			for p+1 < len(pattern) && pattern[p+1] == '*' {
				p++
			}
			if p == len(pattern)-1 {
				return true
			}
			for i < len(s) {
				if matchImpl(pattern[p+1:], s[i:], skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				i++
			}
			// No suffix of s matches the rest of the pattern, so no longer
			// prefix matched by an outer '*' can succeed either.
			*skipLonger = true
			return false
		case '?':
			i++
		case '[':
			p++
			not := p < len(pattern) && pattern[p] == '^'
			if not {
				p++
			}
			match := false
			for {
				if p >= len(pattern) {
					p-- // the closing p++ below lands on the end
					break
				}
				c := pattern[p]
				switch {
				case c == '\\' && len(pattern)-p >= 2:
					p++
					if pattern[p] == s[i] {
						match = true
					}
				case c == ']':
				case len(pattern)-p >= 3 && pattern[p+1] == '-':
					start, end := pattern[p], pattern[p+2]
					if start > end {
						start, end = end, start
					}
					p += 2
					if s[i] >= start && s[i] <= end {
						match = true
					}
				default:
					if c == s[i] {
						match = true
					}
				}
				if c == ']' {
					break
				}
				p++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			i++
		case '\\':
			if len(pattern)-p >= 2 {
				p++
			}
			if pattern[p] != s[i] {
				return false
			}
			i++
		default:
			if pattern[p] != s[i] {
				return false
			}
			i++
		}
		p++
		if i == len(s) {
			for p < len(pattern) && pattern[p] == '*' {
				p++
			}
			break
		}
	}
	return p == len(pattern) && i == len(s)
}
