package server

import (
	"crypto/subtle"
	"slices"
	"strings"
)

// defaultUser is the "default" account's passwords, changeable at run time with ACL SETUSER
// default as in redis: a password rotation adds the new password beside the old one (">new"),
// moves every client, then removes the old one ("<old", or "resetpass >new"), and no client is
// refused on the way. Connections already authenticated stay so, as in redis.
type defaultUser struct {
	nopass    bool     // any password (or none) is accepted: redis's "nopass" flag
	passwords []string // accepted passwords, oldest first
}

func newDefaultUser(requirePass string) defaultUser {
	if requirePass == "" {
		return defaultUser{nopass: true}
	}
	return defaultUser{passwords: []string{requirePass}}
}

func (u defaultUser) accepts(pass string) bool {
	if u.nopass {
		return true
	}
	ok := false
	for _, p := range u.passwords {
		// Compare with every password, so the time taken does not say which one matched.
		if subtle.ConstantTimeCompare([]byte(pass), []byte(p)) == 1 {
			ok = true
		}
	}
	return ok
}

// apply returns u changed by ACL SETUSER default's rules, or redis's error for the first rule
// that cannot be applied; nothing changes then (redis applies the rules to a copy as well).
// Only the rules about passwords are supported: the sentinel's default user may run every
// command, and a rule that would change that is refused rather than ignored.
func (u defaultUser) apply(rules []string) (defaultUser, string) {
	next := defaultUser{nopass: u.nopass, passwords: slices.Clone(u.passwords)}
	for _, rule := range rules {
		switch {
		case strings.EqualFold(rule, "on"):
		case strings.HasPrefix(rule, ">"):
			if p := rule[1:]; !slices.Contains(next.passwords, p) {
				next.passwords = append(next.passwords, p)
			}
			next.nopass = false
		case strings.HasPrefix(rule, "<"):
			i := slices.Index(next.passwords, rule[1:])
			if i < 0 {
				return u, "ERR Error in ACL SETUSER modifier '<...': The password you are trying to remove from the user does not exist"
			}
			next.passwords = slices.Delete(next.passwords, i, i+1)
		case strings.EqualFold(rule, "resetpass"):
			next = defaultUser{}
		case strings.EqualFold(rule, "nopass"):
			next = defaultUser{nopass: true}
		default:
			return u, "ERR ACL SETUSER rule '" + rule + "' is not supported by this sentinel: only the default user's passwords change at run time (on, >password, <password, resetpass, nopass); the default user may always run every command"
		}
	}
	return next, ""
}

// first is the password this sentinel uses towards its peers ("" with nopass or none): the
// oldest one, which every peer accepts until a rotation removes it from all of them.
func (u defaultUser) first() string {
	if u.nopass || len(u.passwords) == 0 {
		return ""
	}
	return u.passwords[0]
}

func (s *Server) defaultUser() defaultUser {
	s.authMu.RLock()
	defer s.authMu.RUnlock()
	return s.defaultAccount
}

// setUserDefault runs ACL SETUSER default RULES and tells Options.DefaultPasswordChanged.
func (s *Server) setUserDefault(rules []string) string {
	s.authMu.Lock()
	next, errMsg := s.defaultAccount.apply(rules)
	if errMsg != "" {
		s.authMu.Unlock()
		return errMsg
	}
	s.defaultAccount = next
	s.authMu.Unlock()
	if s.opts.DefaultPasswordChanged != nil {
		s.opts.DefaultPasswordChanged(next.first())
	}
	s.log.Info("The default user's passwords changed", "passwords", len(next.passwords), "nopass", next.nopass)
	return ""
}
