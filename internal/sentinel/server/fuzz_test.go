package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// FuzzServerInput sends arbitrary bytes to a live server over TCP and half-closes: the server
// must answer with well-formed RESP only, close the connection, and keep serving others. A panic
// in any server goroutine fails the fuzz run.
func FuzzServerInput(f *testing.F) {
	for _, seed := range []string{
		"PING\r\n", "*1\r\n$4\r\nPING\r\n", "*2147483647\r\n", "*1\r\n$999999999999\r\n",
		"SUBSCRIBE a\r\nPING\r\nROLE\r\n", "HELLO 3\r\nSUBSCRIBE a\r\nPSUBSCRIBE *\r\nUNSUBSCRIBE\r\n",
		"CLIENT KILL USER default SKIPME no\r\n", "AUTH x\r\nCLIENT SETNAME a\r\nCLIENT LIST\r\n",
		"PING \"unbalanced\r\n", "COMMAND\r\nCOMMAND DOCS\r\nINFO\r\n", "CLIENT REPLY OFF\r\nPING\r\n",
	} {
		f.Add([]byte(seed))
	}
	ts := startServer(f, Options{})
	f.Fuzz(func(t *testing.T, input []byte) {
		if bytes.Contains(bytes.ToUpper(input), []byte("SHUTDOWN")) {
			return // would stop the shared server; SHUTDOWN is covered by TestShutdown
		}
		nc, err := net.DialTimeout("tcp", ts.addr, ioTimeout)
		if err != nil {
			t.Fatalf("server stopped accepting: %v", err)
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(ioTimeout))
		if _, err := nc.Write(input); err != nil {
			return // the server may already have closed on a protocol error
		}
		_ = nc.(*net.TCPConn).CloseWrite()
		r := resp.NewReader(bufio.NewReader(nc), resp.ClientLimits)
		for {
			_, err := r.ReadValue()
			if err == nil {
				continue
			}
			var ne net.Error
			switch {
			case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
				return
			case errors.As(err, &ne) && ne.Timeout():
				t.Fatalf("server neither answered nor closed within %v for %q", ioTimeout, input)
			case resp.IsProtocolError(err), errors.Is(err, io.ErrUnexpectedEOF):
				t.Fatalf("server sent malformed RESP for %q: %v", input, err)
			default:
				return // connection reset: the server closed while we were still writing
			}
		}
	})
}
