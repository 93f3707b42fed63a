package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// readChunk is how much of a bulk string is read (and allocated) at a time, so a declared length
// costs nothing until the bytes actually arrive.
const readChunk = 16 * 1024

// scratchKeep is the largest line buffer a Reader keeps between calls; a rare long line does not
// pin its buffer for the connection's lifetime.
const scratchKeep = 4 * 1024

// Reader reads RESP from a bufio.Reader: commands on the server side (ReadCommand) and replies on
// the client side (ReadValue). It is not safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	limits  Limits
	unauth  bool
	scratch []byte
}

// NewReader reads from br within limits (ServerLimits or ClientLimits, or custom caps).
// Zero fields in limits fall back to ClientLimits so that a zero Limits is never "no limits".
func NewReader(br *bufio.Reader, limits Limits) *Reader {
	if limits.MaxBulkLen <= 0 {
		limits.MaxBulkLen = ClientLimits.MaxBulkLen
	}
	if limits.MaxMultiBulkLen <= 0 {
		limits.MaxMultiBulkLen = ClientLimits.MaxMultiBulkLen
	}
	if limits.MaxInlineLen <= 0 {
		limits.MaxInlineLen = ClientLimits.MaxInlineLen
	}
	if limits.MaxDepth <= 0 {
		limits.MaxDepth = ClientLimits.MaxDepth
	}
	return &Reader{br: br, limits: limits}
}

// SetUnauthenticated applies redis 7.0's tighter caps for clients that still have to AUTH
// (at most 10 arguments of at most 16384 bytes), with redis's "unauthenticated ..." errors.
func (r *Reader) SetUnauthenticated(on bool) { r.unauth = on }

// Buffered is the number of bytes already received but not yet parsed (pipelined input).
func (r *Reader) Buffered() int { return r.br.Buffered() }

// readUntil returns the bytes before the next delim (consuming delim). The result is a copy in the
// Reader's scratch buffer (never bufio's own buffer, which the next read may overwrite) and is
// valid until the next call. Once max bytes have arrived without delim it fails with tooLong
// without reading further.
func (r *Reader) readUntil(delim byte, max int, tooLong error) ([]byte, error) {
	line := r.scratch[:0]
	defer func() {
		if cap(line) <= scratchKeep {
			r.scratch = line[:0]
		} else {
			r.scratch = nil
		}
	}()
	for {
		chunk, err := r.br.ReadSlice(delim)
		if len(line)+len(chunk) > max+1 {
			return nil, tooLong
		}
		switch {
		case err == nil:
			line = append(line, chunk...)
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			line = append(line, chunk...)
			// Like redis, give up as soon as max bytes have arrived without a delimiter rather
			// than waiting for more input that may never come.
			if len(line) >= max {
				return nil, tooLong
			}
		case errors.Is(err, io.EOF):
			if len(line)+len(chunk) == 0 {
				return nil, io.EOF
			}
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// readBulk reads exactly n bytes, growing the buffer only as data arrives.
func (r *Reader) readBulk(n int64) ([]byte, error) {
	buf := make([]byte, 0, min(n, readChunk))
	for int64(len(buf)) < n {
		want := int(min(n-int64(len(buf)), readChunk))
		start := len(buf)
		if cap(buf)-start < want {
			grown := make([]byte, start, max(2*cap(buf), start+want))
			copy(grown, buf)
			buf = grown
		}
		buf = buf[:start+want]
		if _, err := io.ReadFull(r.br, buf[start:]); err != nil {
			return nil, unexpectedEOF(err)
		}
	}
	return buf, nil
}

// readBulkString reads n bytes as a string. Small payloads (nearly all of them) go through the
// scratch buffer, costing one allocation for the string itself.
func (r *Reader) readBulkString(n int64) (string, error) {
	if n > scratchKeep {
		data, err := r.readBulk(n)
		return string(data), err
	}
	if int64(cap(r.scratch)) < n {
		r.scratch = make([]byte, 0, scratchKeep)
	}
	buf := r.scratch[:n]
	if _, err := io.ReadFull(r.br, buf); err != nil {
		return "", unexpectedEOF(err)
	}
	return string(buf), nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// string2ll parses a length the way redis's string2ll does: optional '-', no '+', no leading
// zeros, no spaces, at most 20 characters. Redis's exact acceptance matters because the same
// bytes must give the same error as redis-sentinel.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	p := b
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		if v > 1<<64-1-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v-1) - 1, true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// ReadValue reads one reply of any RESP2 or RESP3 type. Attributes (|) are read, checked against
// the limits and dropped, since nothing in a sentinel uses them. Malformed input gives a
// *ProtocolError; end of input gives io.EOF between values and io.ErrUnexpectedEOF inside one.
func (r *Reader) ReadValue() (Value, error) {
	return r.readValue(0)
}

func (r *Reader) readValue(depth int) (Value, error) {
	for {
		line, err := r.readUntil('\n', r.limits.MaxInlineLen, protoErr("too big reply line"))
		if err != nil {
			if depth > 0 {
				return Value{}, unexpectedEOF(err)
			}
			return Value{}, err
		}
		if len(line) < 2 || line[len(line)-1] != '\r' {
			return Value{}, protoErr("reply line not terminated by CRLF")
		}
		typ, body := line[0], line[1:len(line)-1]
		switch typ {
		case '+':
			return Simple(string(body)), nil
		case '-':
			return Err(string(body)), nil
		case ':':
			n, err := strconv.ParseInt(string(body), 10, 64)
			if err != nil {
				return Value{}, protoErr(fmt.Sprintf("invalid integer %q", body))
			}
			return Int(n), nil
		case '_':
			if len(body) != 0 {
				return Value{}, protoErr("invalid null")
			}
			return Null(), nil
		case '#':
			if len(body) == 1 && (body[0] == 't' || body[0] == 'f') {
				return Bool(body[0] == 't'), nil
			}
			return Value{}, protoErr(fmt.Sprintf("invalid boolean %q", body))
		case ',':
			if _, err := strconv.ParseFloat(string(body), 64); err != nil {
				return Value{}, protoErr(fmt.Sprintf("invalid double %q", body))
			}
			return Double(string(body)), nil
		case '(':
			if !isBigNumber(body) {
				return Value{}, protoErr(fmt.Sprintf("invalid big number %q", body))
			}
			return BigNumber(string(body)), nil
		case '$', '=', '!':
			return r.readBlob(typ, body)
		case '*', '%', '~', '>':
			return r.readAggregate(typ, body, depth)
		case '|':
			// An attribute precedes the value it describes: read it for framing, then loop
			// to read the value itself.
			if _, err := r.readAggregate('%', body, depth); err != nil {
				return Value{}, err
			}
		default:
			return Value{}, protoErr(fmt.Sprintf("invalid reply type byte %q", typ))
		}
	}
}

func isBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (r *Reader) readBlob(typ byte, body []byte) (Value, error) {
	n, ok := string2ll(body)
	if ok && n == -1 && typ == '$' {
		return Null(), nil
	}
	if !ok || n < 0 || n > r.limits.MaxBulkLen {
		return Value{}, protoErr(MsgInvalidBulkLength)
	}
	data, err := r.readBulkString(n)
	if err != nil {
		return Value{}, err
	}
	var crlf [2]byte
	if _, err := io.ReadFull(r.br, crlf[:]); err != nil {
		return Value{}, unexpectedEOF(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return Value{}, protoErr("bulk string not terminated by CRLF")
	}
	switch typ {
	case '=':
		if len(data) < 4 || data[3] != ':' {
			return Value{}, protoErr("invalid verbatim string format")
		}
		return Verbatim(data[:3], data[4:]), nil
	case '!':
		return Value{Kind: KindBlobError, Str: data}, nil
	}
	return Bulk(data), nil
}

func (r *Reader) readAggregate(typ byte, body []byte, depth int) (Value, error) {
	n, ok := string2ll(body)
	if ok && n == -1 && typ == '*' {
		return NullArray(), nil
	}
	if !ok || n < 0 || n > r.limits.MaxMultiBulkLen {
		return Value{}, protoErr(MsgInvalidMultiBulkLength)
	}
	if depth+1 > r.limits.MaxDepth {
		return Value{}, protoErr(fmt.Sprintf("reply nested deeper than %d levels", r.limits.MaxDepth))
	}
	count := n
	if typ == '%' {
		count = 2 * n
	}
	elems := make([]Value, 0, min(count, 16))
	for range count {
		v, err := r.readValue(depth + 1)
		if err != nil {
			return Value{}, err
		}
		elems = append(elems, v)
	}
	switch typ {
	case '%':
		return Map(elems...), nil
	case '~':
		return Set(elems...), nil
	case '>':
		return Push(elems...), nil
	}
	return Array(elems...), nil
}
