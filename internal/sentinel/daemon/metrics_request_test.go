package daemon

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestReadRequest(t *testing.T) {
	tests := []struct {
		name, in             string
		wantMethod, wantPath string
		wantErr              string
	}{
		{name: "a scrape", in: "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n", wantMethod: "GET", wantPath: "/metrics"},
		{name: "bare newlines", in: "HEAD /metrics?x=1 HTTP/1.0\n\n", wantMethod: "HEAD", wantPath: "/metrics?x=1"},
		{name: "not HTTP", in: "PING\r\n", wantErr: "not an HTTP/1.x request line"},
		{name: "no blank line", in: "GET /metrics HTTP/1.1\r\nHost: x\r\n", wantErr: "reading the request header"},
		// A line that never ends must not grow the buffer without bound: the reader is
		// limited as answer limits it, and the request fails.
		{name: "endless request line", in: "GET /" + strings.Repeat("a", 2*maxHeaderBytes), wantErr: "reading the request line"},
		{name: "endless headers", in: "GET /metrics HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", maxHeaderBytes/8+1) + "\r\n", wantErr: "reading the request header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(io.LimitReader(strings.NewReader(tc.in), maxHeaderBytes+1))
			method, path, err := readRequest(r)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || method != tc.wantMethod || path != tc.wantPath {
				t.Fatalf("readRequest = %q %q %v, want %q %q", method, path, err, tc.wantMethod, tc.wantPath)
			}
		})
	}
}
