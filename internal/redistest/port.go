package redistest

import (
	"fmt"
	"net"
)

// FreePort returns a port that nothing listens on at host right now. Tests that model pods (one
// port, a different address each) take one and start every server on it with ServerOptions.Port.
func FreePort(t T, host string) int {
	t.Helper()
	port, err := freePort(host)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return port
}

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
