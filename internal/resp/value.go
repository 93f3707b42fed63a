// Package resp reads and writes the Redis serialization protocol, versions 2 and 3.
//
// Value is the one reply model shared by the sentinel server (which writes replies) and the
// sentinel's links to Redis and to other sentinels (which read them). Replies are built once as
// a Value and written in whichever protocol the connection negotiated, so RESP2/RESP3
// differences live only in the writer.
package resp

import "strconv"

// Kind is the RESP type of a Value.
type Kind uint8

const (
	KindSimpleString Kind = iota // +OK
	KindError                    // -ERR ...
	KindInteger                  // :1
	KindBulkString               // $3\r\nfoo
	KindNull                     // RESP2: $-1   RESP3: _
	KindNullArray                // RESP2: *-1   RESP3: _
	KindArray                    // *N
	KindMap                      // RESP3: %N    RESP2: flat *2N array of key, value
	KindSet                      // RESP3: ~N    RESP2: *N
	KindPush                     // RESP3: >N    RESP2: *N
	KindDouble                   // RESP3: ,1.5  RESP2: bulk string
	KindBoolean                  // RESP3: #t    RESP2: :1 / :0
	KindBigNumber                // RESP3: (123  RESP2: bulk string
	KindVerbatim                 // RESP3: =N\r\ntxt:...  RESP2: bulk string of the text only
	KindBlobError                // RESP3: !N    RESP2: -ERR ... (line breaks become spaces)
)

// String names the kind for error messages and test failures.
func (k Kind) String() string {
	switch k {
	case KindSimpleString:
		return "simple string"
	case KindError:
		return "error"
	case KindInteger:
		return "integer"
	case KindBulkString:
		return "bulk string"
	case KindNull:
		return "null"
	case KindNullArray:
		return "null array"
	case KindArray:
		return "array"
	case KindMap:
		return "map"
	case KindSet:
		return "set"
	case KindPush:
		return "push"
	case KindDouble:
		return "double"
	case KindBoolean:
		return "boolean"
	case KindBigNumber:
		return "big number"
	case KindVerbatim:
		return "verbatim string"
	case KindBlobError:
		return "blob error"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one RESP value. Str holds simple strings, errors, bulk strings, doubles, big numbers and
// the text of verbatim strings; Int holds integers and booleans (0/1); Elems holds aggregates (a
// map stores key, value, key, value, ...). Format is the three-letter format of a verbatim string
// ("txt", "mkd"); the writer uses "txt" when it is empty.
type Value struct {
	Kind   Kind
	Str    string
	Int    int64
	Elems  []Value
	Format string
}

func Simple(s string) Value      { return Value{Kind: KindSimpleString, Str: s} }
func OK() Value                  { return Simple("OK") }
func Err(msg string) Value       { return Value{Kind: KindError, Str: msg} } // msg includes the code, e.g. "ERR ..."
func Int(n int64) Value          { return Value{Kind: KindInteger, Int: n} }
func Bulk(s string) Value        { return Value{Kind: KindBulkString, Str: s} }
func BulkInt(n int64) Value      { return Bulk(strconv.FormatInt(n, 10)) }
func Null() Value                { return Value{Kind: KindNull} }
func NullArray() Value           { return Value{Kind: KindNullArray} }
func Array(elems ...Value) Value { return Value{Kind: KindArray, Elems: elems} }
func Push(elems ...Value) Value  { return Value{Kind: KindPush, Elems: elems} }
func Set(elems ...Value) Value   { return Value{Kind: KindSet, Elems: elems} }
func Double(s string) Value      { return Value{Kind: KindDouble, Str: s} }
func Bool(b bool) Value {
	v := Value{Kind: KindBoolean}
	if b {
		v.Int = 1
	}
	return v
}

// Map builds a map from alternating keys and values.
func Map(keyValues ...Value) Value { return Value{Kind: KindMap, Elems: keyValues} }

// BulkStrings is an array of bulk strings, the shape of most sentinel replies.
func BulkStrings(ss ...string) Value {
	elems := make([]Value, len(ss))
	for i, s := range ss {
		elems[i] = Bulk(s)
	}
	return Array(elems...)
}

// Field is one name/value pair of a SENTINEL MASTER/REPLICAS/SENTINELS reply. Redis prints every
// value as a bulk string, in a fixed order, so replies are built from ordered Fields.
type Field struct{ Name, Value string }

// FieldMap turns ordered fields into a map reply (flat array in RESP2), all values bulk strings.
func FieldMap(fields []Field) Value {
	elems := make([]Value, 0, 2*len(fields))
	for _, f := range fields {
		elems = append(elems, Bulk(f.Name), Bulk(f.Value))
	}
	return Map(elems...)
}

// IsError reports whether v is an error reply (simple or blob).
func (v Value) IsError() bool { return v.Kind == KindError || v.Kind == KindBlobError }

// IsNull reports whether v is a null of either flavour (RESP2 $-1 / *-1, RESP3 _).
func (v Value) IsNull() bool { return v.Kind == KindNull || v.Kind == KindNullArray }

// Verbatim builds a RESP3 verbatim string such as INFO's reply; format is "txt" or "mkd".
func Verbatim(format, text string) Value {
	return Value{Kind: KindVerbatim, Str: text, Format: format}
}

// BigNumber builds a RESP3 big number from its decimal digits (optionally signed).
func BigNumber(digits string) Value { return Value{Kind: KindBigNumber, Str: digits} }

// Text returns the string content of a simple string, error, bulk string, verbatim string,
// double or big number, and the decimal form of an integer; ok is false for nulls, booleans and
// aggregates. Links that parse replies from Redis use it to accept both RESP2 and RESP3 shapes.
func (v Value) Text() (s string, ok bool) {
	switch v.Kind {
	case KindSimpleString, KindError, KindBulkString, KindVerbatim, KindDouble, KindBigNumber, KindBlobError:
		return v.Str, true
	case KindInteger:
		return strconv.FormatInt(v.Int, 10), true
	}
	return "", false
}
