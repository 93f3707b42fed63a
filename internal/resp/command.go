package resp

import "github.com/failover-dev/redis-failover-operator/internal/confargs"

// ReadCommand reads the next client command, multibulk (`*2\r\n$4\r\nPING\r\n...`) or inline
// (`PING hello\r\n`), accepting and rejecting exactly what redis 7.0's processMultibulkBuffer and
// processInlineBuffer do. Empty commands (`*0`, `*-1`, blank lines) are skipped, as redis does.
// A *ProtocolError carries redis's text; the caller replies "-ERR "+err.Error() and closes.
// io.EOF means the client closed between commands.
func (r *Reader) ReadCommand() ([]string, error) {
	for {
		first, err := r.br.Peek(1)
		if err != nil {
			return nil, err
		}
		var args []string
		if first[0] == '*' {
			args, err = r.readMultiBulk()
		} else {
			args, err = r.readInline()
		}
		if err != nil || len(args) > 0 {
			return args, err
		}
	}
}

// readCountLine reads a "*N" or "$N" line the way redis does: up to '\r', then one more byte that
// redis assumes is '\n' without checking.
func (r *Reader) readCountLine(tooLong string) ([]byte, error) {
	line, err := r.readUntil('\r', r.limits.MaxInlineLen, protoErr(tooLong))
	if err != nil {
		return nil, unexpectedEOF(err)
	}
	if _, err := r.br.ReadByte(); err != nil {
		return nil, unexpectedEOF(err)
	}
	return line, nil
}

func (r *Reader) readMultiBulk() ([]string, error) {
	line, err := r.readCountLine(MsgTooBigMultiBulkCount)
	if err != nil {
		return nil, err
	}
	n, ok := string2ll(line[1:])
	if !ok || n > r.limits.MaxMultiBulkLen {
		return nil, protoErr(MsgInvalidMultiBulkLength)
	}
	if r.unauth && n > unauthMaxMultiBulkLen {
		return nil, protoErr(MsgUnauthenticatedMultiBulk)
	}
	if n <= 0 {
		return nil, nil
	}
	args := make([]string, 0, min(n, 16))
	for range n {
		line, err := r.readCountLine(MsgTooBigBulkCount)
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			return nil, protoErr("expected '$', got '\r'")
		}
		if line[0] != '$' {
			// The raw byte, as C's %c prints it (Go's %c would UTF-8 encode it).
			return nil, protoErr("expected '$', got '" + string(line[:1]) + "'")
		}
		size, ok := string2ll(line[1:])
		if !ok || size < 0 || size > r.limits.MaxBulkLen {
			return nil, protoErr(MsgInvalidBulkLength)
		}
		if r.unauth && size > unauthMaxBulkLen {
			return nil, protoErr(MsgUnauthenticatedBulkLength)
		}
		arg, err := r.readBulkString(size)
		if err != nil {
			return nil, err
		}
		// Redis skips the two bytes after the payload without looking at them.
		if _, err := r.br.Discard(2); err != nil {
			return nil, unexpectedEOF(err)
		}
		args = append(args, arg)
	}
	return args, nil
}

func (r *Reader) readInline() ([]string, error) {
	line, err := r.readUntil('\n', r.limits.MaxInlineLen, protoErr(MsgTooBigInline))
	if err != nil {
		return nil, err
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	// Redis splits inline commands with the same sdssplitargs it reads config lines with; every
	// error it can report is what redis calls "unbalanced quotes".
	args, err := confargs.Split(string(line))
	if err != nil {
		return nil, protoErr(MsgUnbalancedQuotes)
	}
	return args, nil
}
