package redistest

import (
	"fmt"
	"net"
)

// freePort asks the kernel for a port that is free on host right now. Another process may take
// it before redis binds it; start() detects that and retries with a new port.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
