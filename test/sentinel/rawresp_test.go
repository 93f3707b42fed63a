package sentinel

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawConn sends commands and returns the exact bytes of each reply, so that differential tests
// compare types and framing, not just what a client library makes of them.
type rawConn struct {
	name string
	nc   net.Conn
	br   *bufio.Reader
}

func dialRaw(t *testing.T, name, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s at %s: %v", name, addr, err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &rawConn{name: name, nc: nc, br: bufio.NewReader(nc)}
}

// do sends one command and returns its raw reply.
func (c *rawConn) do(t *testing.T, args ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c.nc, b.String()); err != nil {
		t.Fatalf("%s: sending %q: %v", c.name, args, err)
	}
	raw, err := readRawReply(c.br)
	if err != nil {
		t.Fatalf("%s: reading the reply to %q: got %q, %v", c.name, args, raw, err)
	}
	return raw
}

// readRawReply returns the bytes of one RESP2/RESP3 reply.
func readRawReply(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return line, err
	}
	if len(line) < 3 {
		return line, fmt.Errorf("short reply line %q", line)
	}
	n, convErr := strconv.Atoi(line[1 : len(line)-2])
	switch line[0] {
	case '$', '=', '!':
		if convErr != nil || n < 0 {
			return line, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return line, err
		}
		return line + string(buf), nil
	case '*', '%', '~', '>':
		if convErr != nil || n < 0 {
			return line, nil
		}
		if line[0] == '%' {
			n *= 2
		}
		out := line
		for i := 0; i < n; i++ {
			elem, err := readRawReply(br)
			out += elem
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return line, nil
}
