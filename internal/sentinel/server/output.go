package server

import (
	"errors"
	"io"
	"sync"
)

// errOutputClosed is returned by flush once the connection was killed.
var errOutputClosed = errors.New("connection output closed")

// keepBufferCap is the largest output buffer kept for reuse after a flush, so that a rare big
// reply (INFO, SENTINEL MASTERS with many replicas) does not pin its memory for the
// connection's lifetime.
const keepBufferCap = 16 << 10

// output is one connection's outgoing bytes. Replies are written by the connection's own serve
// goroutine, synchronously, right before it would block reading the next command (redis
// writes before its next epoll_wait too): a request costs one goroutine wake-up, not one per
// hop between a reader, a queue and a writer.
//
// Pub/sub messages come from other goroutines (the engine's Publish) that must never wait for
// a slow socket, so they are only appended here and the connection's push writer is woken to
// send them. A subscriber whose unsent bytes would exceed the pub/sub limit is disconnected
// instead (redis's client-output-buffer-limit pubsub).
type output struct {
	w     io.Writer // the socket
	stats *stats

	mu      sync.Mutex
	pending []byte // encoded, not yet handed to the socket
	spare   []byte // the other buffer, swapped in while pending is written
	size    int    // pending plus bytes being written: the backlog the limits apply to
	closed  bool
	kick    chan struct{} // wakes the push writer; closed with the output

	// writeMu serialises socket writes between the serve goroutine and the push writer, and
	// with it the order of bytes: whoever holds it takes everything pending so far.
	writeMu sync.Mutex
}

func newOutput(w io.Writer, st *stats) *output {
	return &output{w: w, stats: st, kick: make(chan struct{}, 1)}
}

// pushReply appends a reply of the serve goroutine and returns the backlog size, which the
// caller compares with the reply limit to decide whether to flush now. The serve goroutine
// flushes before reading again, so nobody needs waking.
func (o *output) pushReply(frame []byte) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return 0
	}
	o.pending = append(o.pending, frame...)
	o.size += len(frame)
	return o.size
}

// pushMessage appends a pub/sub message without ever waiting and wakes the push writer. It
// returns false when the message would take the backlog over limit; the caller then
// disconnects the subscriber.
func (o *output) pushMessage(frame []byte, limit int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return true // already going away; nothing to report
	}
	if o.size+len(frame) > limit {
		return false
	}
	o.pending = append(o.pending, frame...)
	o.size += len(frame)
	select {
	case o.kick <- struct{}{}:
	default: // a wake-up is already pending; it will take this message too
	}
	return true
}

// hasPending reports whether bytes wait to be written.
func (o *output) hasPending() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pending) > 0
}

// flush writes everything pending, including what is appended while it writes. A write blocks
// only the caller: the serve goroutine (which then stops reading commands, the backpressure
// on a client that pipelines without reading) or the push writer.
func (o *output) flush() error {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	for {
		o.mu.Lock()
		if o.closed {
			o.mu.Unlock()
			return errOutputClosed
		}
		buf := o.pending
		if len(buf) == 0 {
			o.mu.Unlock()
			return nil
		}
		o.pending = o.spare[:0]
		o.spare = nil
		o.mu.Unlock()

		n, err := o.w.Write(buf)
		o.stats.netOutputBytes.Add(int64(n))
		o.stats.writesProcessed.Add(1)

		o.mu.Lock()
		if !o.closed {
			o.size -= len(buf)
			if cap(buf) <= keepBufferCap {
				o.spare = buf[:0]
			}
		}
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// close drops unsent output and stops the push writer; later pushes are ignored and flushes
// fail. It reports whether this call closed it.
func (o *output) close() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return false
	}
	o.closed = true
	o.pending, o.spare, o.size = nil, nil, 0
	close(o.kick)
	return true
}
