package docs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Block is one fenced code block of a Markdown document.
type Block struct {
	// Info is the text after the opening fence, e.g. "yaml networkpolicy" or "sh quickstart".
	Info string
	Body string
	Line int // of the opening fence, 1-based
}

// Blocks reads the fenced blocks of path whose info string has every one of tags as a word.
func Blocks(path string, tags ...string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Block
	var cur *Block
	var body strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &Block{Info: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), Line: n}
			body.Reset()
		case cur != nil && trimmed == "```":
			cur.Body = body.String()
			if hasWords(cur.Info, tags) {
				out = append(out, *cur)
			}
			cur = nil
		case cur != nil:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: code block never closed", path, cur.Line)
	}
	return out, nil
}

func hasWords(info string, want []string) bool {
	words := strings.Fields(info)
	for _, w := range want {
		found := false
		for _, x := range words {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}
