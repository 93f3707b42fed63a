package server

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawSocket reads and writes a connection's non-blocking socket with raw system calls, waiting
// for readiness through Go's poller as net.Conn does (deadlines and Close work the same).
//
// Why: net.Conn's read(2)/write(2) go through syscall.Syscall, whose entersyscall wakes the Go
// runtime's sysmon thread whenever it is in its deep sleep (every P idle). A sentinel polled
// every few milliseconds is idle between requests, so each request woke sysmon, which then
// sleeps in 20 µs steps until the Ps are idle again: several thread switches per request, more
// than the request itself costs. A read or write on a non-blocking socket never blocks, which
// is what RawSyscall is for.
type rawSocket struct {
	rc syscall.RawConn

	// Per-direction call state, so that the callbacks are bound once and calls do not allocate.
	// Reads happen on the serve goroutine only and writes under output.writeMu.
	rbuf   []byte
	rn     int
	rerrno syscall.Errno
	readFn func(fd uintptr) bool

	wbuf    []byte
	wn      int
	werrno  syscall.Errno
	writeFn func(fd uintptr) bool
}

// newSocketIO returns nc's socket for raw I/O, or nc itself when it has no descriptor.
func newSocketIO(nc net.Conn) io.ReadWriter {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nc
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nc
	}
	s := &rawSocket{rc: rc}
	s.readFn = s.readOnce
	s.writeFn = s.writeSome
	return s
}

func (s *rawSocket) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.rbuf, s.rn, s.rerrno = p, 0, 0
	err := s.rc.Read(s.readFn)
	n, errno := s.rn, s.rerrno
	s.rbuf = nil
	switch {
	case err != nil: // closed, deadline
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readOnce is one read(2); false asks the poller to wait until the socket is readable.
func (s *rawSocket) readOnce(fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&s.rbuf[0])), uintptr(len(s.rbuf)))
		switch errno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		case 0:
			s.rn = int(n)
		default:
			s.rerrno = errno
		}
		return true
	}
}

func (s *rawSocket) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.wbuf, s.wn, s.werrno = p, 0, 0
	err := s.rc.Write(s.writeFn)
	n, errno := s.wn, s.werrno
	s.wbuf = nil
	switch {
	case err != nil: // closed, deadline
		return n, err
	case errno != 0:
		return n, os.NewSyscallError("write", errno)
	}
	return n, nil
}

// writeSome writes until everything is sent; false asks the poller to wait for room.
func (s *rawSocket) writeSome(fd uintptr) bool {
	for s.wn < len(s.wbuf) {
		rest := s.wbuf[s.wn:]
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)))
		switch errno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		case 0:
			s.wn += int(n)
		default:
			s.werrno = errno
			return true
		}
	}
	return true
}
