//go:build linux

package sentinel

import (
	"net"
	"syscall"
)

// peerClosed reports whether the instance has closed (or reset) conn as far as the socket
// already knows: a FIN or RST in its receive queue. It peeks without consuming any byte and
// without waiting, beside the link's reader blocked in Read on the same socket.
func peerClosed(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var buf [1]byte
	// Control, not Read: Read would queue behind the reader's pending Read.
	if err := rc.Control(func(fd uintptr) {
		n, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == nil:
			closed = n == 0 // an orderly shutdown; n > 0 is a reply waiting to be read
		case rerr == syscall.EAGAIN || rerr == syscall.EINTR:
		default:
			closed = true // ECONNRESET and the like
		}
	}); err != nil {
		return false // closed by us: the link's own loop reports it
	}
	return closed
}
