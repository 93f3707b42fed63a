package resp

// Limits bound what a Reader accepts so that garbage or hostile input never costs more memory
// than the bytes actually received, and never more than these caps. Declared lengths are only
// checked against the caps; buffers grow with the data that really arrives.
type Limits struct {
	// MaxBulkLen caps one bulk string (command argument or bulk reply), like proto-max-bulk-len.
	MaxBulkLen int64
	// MaxMultiBulkLen caps the element count of one command or aggregate reply.
	MaxMultiBulkLen int64
	// MaxInlineLen caps an inline command line and any protocol line (counts, simple strings).
	MaxInlineLen int
	// MaxDepth caps the nesting of aggregate replies (ReadValue only).
	MaxDepth int
}

// ServerLimits are the sentinel server's caps for client commands. Nothing a sentinel receives
// (hello payloads, SENTINEL SET values, AUTH passwords) comes near 64 KiB, so anything larger is
// garbage or an attack and is refused early.
var ServerLimits = Limits{
	MaxBulkLen:      64 * 1024,
	MaxMultiBulkLen: 1024 * 1024,
	MaxInlineLen:    64 * 1024, // redis PROTO_INLINE_MAX_SIZE
	MaxDepth:        1,         // commands are flat
}

// ClientLimits are the caps for replies read from Redis and from other sentinels: redis's own
// proto-max-bulk-len (512 MiB) and INT_MAX-free element counts, with nesting far deeper than any
// real reply (COMMAND DOCS nests about six levels).
var ClientLimits = Limits{
	MaxBulkLen:      512 * 1024 * 1024,
	MaxMultiBulkLen: 1<<31 - 1,
	MaxInlineLen:    64 * 1024,
	MaxDepth:        64,
}

// Redis 7.0 caps what a client may send before it has authenticated (CVE-2021-32675), with its
// own error texts; the server switches a Reader to these caps while AUTH is pending.
const (
	unauthMaxMultiBulkLen = 10
	unauthMaxBulkLen      = 16384
)
