package conf

import "fmt"

// LineError is a bad line in a config file.
type LineError struct {
	File      string
	Line      int
	Directive string // e.g. "port" or "sentinel down-after-milliseconds"; "" if unreadable
	Reason    string
}

func (e *LineError) Error() string {
	if e.Directive == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Directive, e.Reason)
}
