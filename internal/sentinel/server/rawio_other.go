//go:build !linux

package server

import (
	"io"
	"net"
)

// newSocketIO is the connection itself outside Linux (see rawio_linux.go for why Linux differs).
func newSocketIO(nc net.Conn) io.ReadWriter { return nc }
