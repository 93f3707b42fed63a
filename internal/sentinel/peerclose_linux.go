//go:build linux

package sentinel

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// tcpEstablished is TCP_ESTABLISHED of the kernel's tcp_states.h, tcp_info's tcpi_state.
const tcpEstablished = 1

// peerClosed reports whether the instance has closed (or reset) conn as far as the kernel
// already knows: the socket has left ESTABLISHED (CLOSE_WAIT after the peer's FIN, CLOSE after
// a reset). The TCP state counts the close even behind replies the link's reader has not read
// yet, which a peek at the receive queue would return first. Nothing is read or waited for.
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
	// Control, not Read: Read would queue behind the reader's pending Read.
	if err := rc.Control(func(fd uintptr) {
		info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		closed = err == nil && info.State != tcpEstablished
	}); err != nil {
		return false // closed by us: the link's own loop reports it
	}
	return closed
}
