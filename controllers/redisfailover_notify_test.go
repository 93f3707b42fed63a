package controllers

import (
	"strings"
	"testing"
)

func TestCheckWebhookURL(t *testing.T) {
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{"https://hooks.example.com/services/T0/B0/x", true},
		{"http://hook.ns.svc:8080/hook?token=abc", true},
		{"hooks.example.com/x", false},        // no scheme
		{"ftp://hooks.example.com/x", false},  // not http(s)
		{"https:///path-only", false},         // no host
		{"http://[::1/hook?token=abc", false}, // does not parse
	} {
		_, err := checkWebhookURL(tc.raw, `key "url" of Secret ns/hook`)
		if (err == nil) != tc.ok {
			t.Errorf("checkWebhookURL(%q) error %v, want ok=%v", tc.raw, err, tc.ok)
		}
		if err != nil && (strings.Contains(err.Error(), "token") || strings.Contains(err.Error(), "example.com") ||
			!strings.Contains(err.Error(), `key "url" of Secret ns/hook`)) {
			t.Errorf("checkWebhookURL(%q) error %q: must name where the URL is and never the URL", tc.raw, err)
		}
	}
}
