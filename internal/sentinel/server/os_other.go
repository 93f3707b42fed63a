//go:build !linux

package server

import "runtime"

// osDescription is INFO's os field; outside Linux only the OS and architecture are known.
func osDescription() string { return runtime.GOOS + " " + runtime.GOARCH }
