package server

import "sync"

// outbox is one connection's queue of encoded replies and pub/sub messages, drained by the
// connection's writer goroutine. It decouples the engine (Publish) from slow sockets: messages
// are only appended, never written, by the publisher, and a subscriber whose backlog exceeds the
// pub/sub limit is disconnected instead of slowing anyone down (redis's client-output-buffer-limit
// pubsub). The connection's own replies wait for room instead, which simply stops a client that
// pipelines without reading from making the server buffer without bound.
type outbox struct {
	mu     sync.Mutex
	cond   sync.Cond // signalled when frames arrive, room frees up, or the box closes
	frames [][]byte
	size   int
	closed bool
	// closeAfter asks the writer to close the connection once what is queued is sent (protocol
	// errors, CLIENT KILL of oneself), like redis's CLIENT_CLOSE_AFTER_REPLY.
	closeAfter bool
}

func newOutbox() *outbox {
	o := &outbox{}
	o.cond.L = &o.mu
	return o
}

// pushReply queues a reply, waiting while more than limit bytes are pending.
// It returns false once the box is closed.
func (o *outbox) pushReply(frame []byte, limit int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for !o.closed && o.size > 0 && o.size+len(frame) > limit {
		o.cond.Wait()
	}
	if o.closed || o.closeAfter {
		return false
	}
	o.frames = append(o.frames, frame)
	o.size += len(frame)
	o.cond.Broadcast()
	return true
}

// pushMessage queues a pub/sub message without ever waiting. It returns false when the message
// would take the backlog over limit; the caller then disconnects the subscriber.
func (o *outbox) pushMessage(frame []byte, limit int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || o.closeAfter {
		return true // already going away; nothing to report
	}
	if o.size+len(frame) > limit {
		return false
	}
	o.frames = append(o.frames, frame)
	o.size += len(frame)
	o.cond.Broadcast()
	return true
}

// requestClose makes the writer close the connection after sending what is queued.
func (o *outbox) requestClose() {
	o.mu.Lock()
	o.closeAfter = true
	o.cond.Broadcast()
	o.mu.Unlock()
}

// take waits for frames and hands all of them to the writer. last is true when the writer must
// close the connection after writing them (closed box or close-after-reply).
func (o *outbox) take() (frames [][]byte, last bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.frames) == 0 && !o.closed && !o.closeAfter {
		o.cond.Wait()
	}
	frames, o.frames = o.frames, nil
	return frames, o.closed || o.closeAfter
}

// written releases n bytes of backlog once the writer has sent them.
func (o *outbox) written(n int) {
	o.mu.Lock()
	o.size -= n
	o.cond.Broadcast()
	o.mu.Unlock()
}

// close wakes everyone; later pushes fail and the writer stops.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.frames = nil
	o.cond.Broadcast()
	o.mu.Unlock()
}
