package server

import (
	"strings"
	"syscall"
)

// osDescription is INFO's os field, "<sysname> <release> <machine>" as redis prints uname(2).
func osDescription() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "Linux"
	}
	return cString(u.Sysname[:]) + " " + cString(u.Release[:]) + " " + cString(u.Machine[:])
}

// cString converts a NUL-terminated utsname field (int8 or uint8 depending on the architecture).
func cString[T int8 | uint8](chars []T) string {
	var b strings.Builder
	for _, c := range chars {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}
