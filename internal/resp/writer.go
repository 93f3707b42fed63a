package resp

import (
	"bufio"
	"strconv"
	"strings"
)

// Writer writes Values in RESP2 or RESP3 and commands as multibulk arrays. Output is buffered:
// call Flush after a reply (or a pipeline of them). Errors are sticky, as in bufio.Writer.
// It is not safe for concurrent use.
type Writer struct {
	bw  *bufio.Writer
	num []byte
}

// NewWriter writes to bw.
func NewWriter(bw *bufio.Writer) *Writer {
	return &Writer{bw: bw, num: make([]byte, 0, 24)}
}

// Flush sends everything buffered.
func (w *Writer) Flush() error { return w.bw.Flush() }

// Buffered is the number of bytes written but not yet flushed.
func (w *Writer) Buffered() int { return w.bw.Buffered() }

// WriteCommand writes a command as redis clients do: an array of bulk strings.
func (w *Writer) WriteCommand(args ...string) error {
	w.header('*', int64(len(args)))
	for _, a := range args {
		w.bulk('$', a)
	}
	return w.err()
}

// WriteValue writes v in protocol proto (2 or 3; anything below 3 is RESP2). RESP2 has no map,
// set, push, null, double, boolean, big number or verbatim types, so they are downgraded the way
// redis does it: map → flat array of keys and values, set/push → array, null → $-1 (*-1 for a
// null array), double/big number → bulk string, boolean → :1/:0, verbatim → bulk string of the
// text, blob error → simple error. Line breaks in simple strings and errors become spaces, as
// redis does in its error replies, so no reply can break the framing.
func (w *Writer) WriteValue(v Value, proto int) error {
	w.value(v, proto >= 3)
	return w.err()
}

func (w *Writer) err() error {
	// bufio.Writer keeps its first error and returns it from every later call; a zero-length
	// write asks for it without side effects.
	_, err := w.bw.Write(nil)
	return err
}

func (w *Writer) value(v Value, resp3 bool) {
	switch v.Kind {
	case KindSimpleString:
		w.line('+', v.Str)
	case KindError:
		w.line('-', v.Str)
	case KindBlobError:
		if resp3 {
			w.bulk('!', v.Str)
		} else {
			w.line('-', v.Str)
		}
	case KindInteger:
		w.header(':', v.Int)
	case KindBulkString:
		w.bulk('$', v.Str)
	case KindNull:
		if resp3 {
			w.bw.WriteString("_\r\n")
		} else {
			w.bw.WriteString("$-1\r\n")
		}
	case KindNullArray:
		if resp3 {
			w.bw.WriteString("_\r\n")
		} else {
			w.bw.WriteString("*-1\r\n")
		}
	case KindDouble:
		if resp3 {
			w.line(',', v.Str)
		} else {
			w.bulk('$', v.Str)
		}
	case KindBigNumber:
		if resp3 {
			w.line('(', v.Str)
		} else {
			w.bulk('$', v.Str)
		}
	case KindBoolean:
		switch {
		case resp3 && v.Int != 0:
			w.bw.WriteString("#t\r\n")
		case resp3:
			w.bw.WriteString("#f\r\n")
		case v.Int != 0:
			w.bw.WriteString(":1\r\n")
		default:
			w.bw.WriteString(":0\r\n")
		}
	case KindVerbatim:
		if !resp3 {
			w.bulk('$', v.Str)
			break
		}
		format := v.Format
		if len(format) != 3 {
			format = "txt"
		}
		w.header('=', int64(len(v.Str)+4))
		w.bw.WriteString(format)
		w.bw.WriteByte(':')
		w.bw.WriteString(v.Str)
		w.bw.WriteString("\r\n")
	case KindArray:
		w.aggregate('*', v.Elems, 1, resp3)
	case KindSet:
		w.aggregate(pick(resp3, '~', '*'), v.Elems, 1, resp3)
	case KindPush:
		w.aggregate(pick(resp3, '>', '*'), v.Elems, 1, resp3)
	case KindMap:
		if len(v.Elems)%2 != 0 {
			// An odd map would desynchronise the client; fail loudly instead.
			w.line('-', "ERR internal error: map with an odd number of elements")
			break
		}
		if resp3 {
			w.aggregate('%', v.Elems, 2, resp3)
		} else {
			w.aggregate('*', v.Elems, 1, resp3)
		}
	default:
		w.line('-', "ERR internal error: cannot encode "+v.Kind.String())
	}
}

func pick(resp3 bool, yes, no byte) byte {
	if resp3 {
		return yes
	}
	return no
}

func (w *Writer) aggregate(prefix byte, elems []Value, per int, resp3 bool) {
	w.header(prefix, int64(len(elems)/per))
	for _, e := range elems {
		w.value(e, resp3)
	}
}

func (w *Writer) header(prefix byte, n int64) {
	w.num = append(w.num[:0], prefix)
	w.num = strconv.AppendInt(w.num, n, 10)
	w.num = append(w.num, '\r', '\n')
	w.bw.Write(w.num)
}

func (w *Writer) bulk(prefix byte, s string) {
	w.header(prefix, int64(len(s)))
	w.bw.WriteString(s)
	w.bw.WriteString("\r\n")
}

var lineBreaks = strings.NewReplacer("\r", " ", "\n", " ")

func (w *Writer) line(prefix byte, s string) {
	w.bw.WriteByte(prefix)
	if strings.ContainsAny(s, "\r\n") {
		s = lineBreaks.Replace(s)
	}
	w.bw.WriteString(s)
	w.bw.WriteString("\r\n")
}
