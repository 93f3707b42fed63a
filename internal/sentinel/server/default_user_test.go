package server

import (
	"slices"
	"testing"
)

func TestDefaultUserRules(t *testing.T) {
	cases := []struct {
		name          string
		start         defaultUser
		rules         []string
		wantPasswords []string
		wantNopass    bool
		wantErr       bool
		wantFirst     string
	}{
		{name: "add beside the old password keeps the old one first",
			start: newDefaultUser("old"), rules: []string{"on", ">new"},
			wantPasswords: []string{"old", "new"}, wantFirst: "old"},
		{name: "adding a password twice keeps one copy",
			start: defaultUser{passwords: []string{"old", "new"}}, rules: []string{">new"},
			wantPasswords: []string{"old", "new"}, wantFirst: "old"},
		{name: "remove the old one at the end of a rotation",
			start: defaultUser{passwords: []string{"old", "new"}}, rules: []string{"<old"},
			wantPasswords: []string{"new"}, wantFirst: "new"},
		{name: "resetpass then the new one leaves only the new one",
			start: defaultUser{passwords: []string{"old", "stray", "new"}}, rules: []string{"resetpass", ">new"},
			wantPasswords: []string{"new"}, wantFirst: "new"},
		{name: "a password clears nopass",
			start: newDefaultUser(""), rules: []string{">pw"},
			wantPasswords: []string{"pw"}, wantFirst: "pw"},
		{name: "nopass drops every password",
			start: newDefaultUser("old"), rules: []string{"nopass"},
			wantNopass: true},
		{name: "resetpass alone leaves no password: nobody can authenticate",
			start: newDefaultUser("old"), rules: []string{"resetpass"}},
		{name: "removing a password that is not there fails and changes nothing",
			start: newDefaultUser("old"), rules: []string{">new", "<nope"},
			wantPasswords: []string{"old"}, wantErr: true, wantFirst: "old"},
		{name: "a rule about commands is refused, nothing applied",
			start: newDefaultUser("old"), rules: []string{">new", "-@all"},
			wantPasswords: []string{"old"}, wantErr: true, wantFirst: "old"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errMsg := tc.start.apply(tc.rules)
			if (errMsg != "") != tc.wantErr {
				t.Fatalf("apply(%q) error %q, want error: %v", tc.rules, errMsg, tc.wantErr)
			}
			if tc.wantErr {
				got = tc.start
			}
			if !slices.Equal(got.passwords, tc.wantPasswords) || got.nopass != tc.wantNopass {
				t.Errorf("apply(%q) = passwords %q nopass %v, want %q nopass %v", tc.rules, got.passwords, got.nopass, tc.wantPasswords, tc.wantNopass)
			}
			if got.first() != tc.wantFirst {
				t.Errorf("first() = %q, want %q", got.first(), tc.wantFirst)
			}
		})
	}
}

// TestPasswordRotationOverTheProtocol rotates the default user's password as the operator
// does: both passwords work while clients move, the old one is refused at the end, and a
// connection authenticated before the change stays authenticated.
func TestPasswordRotationOverTheProtocol(t *testing.T) {
	var told []string
	ts := startServer(t, Options{RequirePass: "old", DefaultPasswordChanged: func(first string) { told = append(told, first) }})
	before := dial(t, ts.addr)
	before.roundTrip("+OK\r\n", "AUTH", "old")

	admin := dial(t, ts.addr)
	admin.roundTrip("+OK\r\n", "AUTH", "old")
	admin.roundTrip("+OK\r\n", "ACL", "SETUSER", "default", "on", ">new")
	for _, pw := range []string{"old", "new"} {
		c := dial(t, ts.addr)
		c.roundTrip("+OK\r\n", "AUTH", pw)
		c.roundTrip("+PONG\r\n", "PING")
	}
	admin.roundTrip("*1\r\n"+bulk("user default on #"+passwordHash("old")+" #"+passwordHash("new")+" ~* &* +@all"), "ACL", "LIST")

	admin.roundTrip("+OK\r\n", "ACL", "SETUSER", "default", "resetpass", ">new")
	old := dial(t, ts.addr)
	old.roundTrip(wrongPass, "AUTH", "old")
	old.roundTrip("-NOAUTH Authentication required.\r\n", "PING")
	fresh := dial(t, ts.addr)
	fresh.roundTrip("+OK\r\n", "AUTH", "new")
	before.roundTrip("+PONG\r\n", "PING")

	admin.roundTrip("-ERR ACL SETUSER is not supported by this sentinel for users other than default: users come from sentinel.conf\r\n", "ACL", "SETUSER", "alice", ">x")
	if !slices.Equal(told, []string{"old", "new"}) {
		t.Errorf("DefaultPasswordChanged got %q, want [old new]: the peers' password must stay the old one until it is removed", told)
	}
}
