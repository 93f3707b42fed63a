package conf

import (
	"fmt"
	"strings"
)

// String describes the master for logs, with its password redacted.
func (m Master) String() string {
	type plain Master // same fields, no String method: no recursion
	return fmt.Sprintf("%+v", plain(m))
}

// GoString keeps %#v from bypassing String.
func (m Master) GoString() string { return m.String() }

// String describes the config for logs. Passwords are redacted, and ACL users are shown by name
// only because their rules may hold passwords.
func (c Config) String() string {
	type plain Config
	p := plain(c)
	p.Users = nil
	p.Masters = nil
	users := make([]string, len(c.Users))
	for i, u := range c.Users {
		users[i] = u[0]
	}
	masters := make([]string, len(c.Masters))
	for i, m := range c.Masters {
		masters[i] = m.String()
	}
	return fmt.Sprintf("%+v Users:[%s] Masters:[%s]", p, strings.Join(users, " "), strings.Join(masters, " "))
}

// GoString keeps %#v from bypassing String.
func (c Config) GoString() string { return c.String() }
