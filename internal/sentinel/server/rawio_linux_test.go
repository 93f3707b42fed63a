package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Errorf("accepting: %v", err)
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	server = <-accepted
	if server == nil {
		t.FailNow()
	}
	t.Cleanup(func() { _ = server.Close(); _ = client.Close() })
	return server, client
}

func TestRawSocketIsUsedForTCP(t *testing.T) {
	nc, _ := tcpPair(t)
	if _, ok := newSocketIO(nc).(*rawSocket); !ok {
		t.Fatalf("newSocketIO(%T) = %T, want *rawSocket", nc, newSocketIO(nc))
	}
}

// A write far larger than the socket buffers must wait for the peer through the poller (EAGAIN)
// and arrive complete and in order.
func TestRawSocketWriteWaitsForRoom(t *testing.T) {
	nc, peer := tcpPair(t)
	sock := newSocketIO(nc)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	got := make(chan []byte, 1)
	go func() {
		b, err := io.ReadAll(peer)
		if err != nil {
			t.Errorf("peer reading: %v", err)
		}
		got <- b
	}()
	n, err := sock.Write(payload)
	if err != nil || n != len(payload) {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(payload))
	}
	_ = nc.Close()
	if b := <-got; !bytes.Equal(b, payload) {
		t.Fatalf("peer received %d bytes that differ from the %d written", len(b), len(payload))
	}
}

// Reads wait for data through the poller, return what arrived, then io.EOF on half-close.
func TestRawSocketReadThenEOF(t *testing.T) {
	nc, peer := tcpPair(t)
	sock := newSocketIO(nc)
	go func() {
		// Written after the reader is (most likely) parked, so the poller path is taken; the
		// test does not depend on it.
		_, _ = peer.Write([]byte("PING\r\n"))
		_ = peer.(*net.TCPConn).CloseWrite()
	}()
	b, err := io.ReadAll(sock)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if string(b) != "PING\r\n" {
		t.Fatalf("read %q, want %q", b, "PING\r\n")
	}
	if n, err := sock.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("Read after EOF = %d, %v; want 0, io.EOF", n, err)
	}
}

// Deadlines and Close set on the net.Conn govern the raw I/O as they do net.Conn's own.
func TestRawSocketHonoursDeadlineAndClose(t *testing.T) {
	nc, _ := tcpPair(t)
	sock := newSocketIO(nc)
	// The peer never reads: fill its buffers until the write deadline fires.
	_ = nc.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := sock.Write(make([]byte, 64<<20)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write to a peer that does not read = %v, want a deadline error", err)
	}
	readErr := make(chan error, 1)
	go func() {
		_, err := sock.Read(make([]byte, 8))
		readErr <- err
	}()
	_ = nc.Close()
	if err := <-readErr; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read blocked when the connection was closed = %v, want net.ErrClosed", err)
	}
}
