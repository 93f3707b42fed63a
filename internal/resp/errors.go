package resp

import "errors"

// ProtocolError is malformed input. Its message is redis's own text ("Protocol error: invalid
// bulk length"), so a server replies "-ERR " + Error() and closes the connection, as redis does.
type ProtocolError struct {
	Msg string
}

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

func protoErr(msg string) error { return &ProtocolError{Msg: msg} }

// IsProtocolError reports whether err (or anything it wraps) is a ProtocolError.
func IsProtocolError(err error) bool {
	var pe *ProtocolError
	return errors.As(err, &pe)
}

// The texts redis 7.0 uses (networking.c); tests and the server compare against them.
const (
	MsgInvalidMultiBulkLength    = "invalid multibulk length"
	MsgInvalidBulkLength         = "invalid bulk length"
	MsgTooBigInline              = "too big inline request"
	MsgUnbalancedQuotes          = "unbalanced quotes in request"
	MsgTooBigMultiBulkCount      = "too big mbulk count string"
	MsgTooBigBulkCount           = "too big bulk count string"
	MsgUnauthenticatedMultiBulk  = "unauthenticated multibulk length"
	MsgUnauthenticatedBulkLength = "unauthenticated bulk length"
)
