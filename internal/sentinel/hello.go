package sentinel

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Hello is the gossip payload on __sentinel__:hello:
// ip,port,runid,current_epoch,master_name,master_ip,master_port,master_config_epoch.
type Hello struct {
	Addr              Addr // the sentinel's announced address; Host empty: the link's local IP
	RunID             string
	CurrentEpoch      uint64
	MasterName        string
	MasterAddr        Addr
	MasterConfigEpoch uint64
}

func (h Hello) String() string {
	return fmt.Sprintf("%s,%d,%s,%d,%s,%s,%d,%d", h.Addr.Host, h.Addr.Port, h.RunID, h.CurrentEpoch,
		h.MasterName, h.MasterAddr.Host, h.MasterAddr.Port, h.MasterConfigEpoch)
}

// ParseHello reads a hello payload.
func ParseHello(payload string) (Hello, error) {
	tok := strings.Split(payload, ",")
	if len(tok) != 8 {
		return Hello{}, fmt.Errorf("hello payload has %d fields, want 8", len(tok))
	}
	var h Hello
	var err error
	num := func(s string) uint64 {
		n, e := strconv.ParseUint(s, 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("hello payload field %q is not a number", s)
		}
		return n
	}
	h.Addr = Addr{Host: tok[0], Port: int(num(tok[1]))}
	h.RunID = tok[2]
	h.CurrentEpoch = num(tok[3])
	h.MasterName = tok[4]
	h.MasterAddr = Addr{Host: tok[5], Port: int(num(tok[6]))}
	h.MasterConfigEpoch = num(tok[7])
	return h, err
}

// hello is this sentinel's hello about m.
func (s *State) hello(m *Master) Hello {
	port := s.Global.Port
	if s.Global.AnnouncePort != 0 {
		port = s.Global.AnnouncePort
	}
	return Hello{
		Addr:              Addr{Host: s.Global.AnnounceIP, Port: port},
		RunID:             s.Global.MyID,
		CurrentEpoch:      s.CurrentEpoch,
		MasterName:        m.Config.Name,
		MasterAddr:        m.currentAddr(),
		MasterConfigEpoch: m.ConfigEpoch,
	}
}

// HandleHello is sentinelProcessHelloMessage: learn sentinels, adopt newer epochs and newer
// master configurations. from is the instance whose pubsub link delivered it (zero when the
// hello was published straight to this sentinel).
func (s *State) HandleHello(payload string, from Addr, now time.Time) Effects {
	var e Effects
	if !from.IsZero() {
		if l := s.links[from.String()]; l != nil {
			l.pubsubAlive = now
		}
	}
	h, err := ParseHello(payload)
	if err != nil || h.RunID == s.Global.MyID {
		return e
	}
	m := s.Masters[h.MasterName]
	if m == nil {
		return e
	}
	// The sender shows addresses its own way (an IP, or a hostname with announce-hostnames):
	// sentinel.c resolves them on receipt and drops a hello whose sentinel address does not
	// resolve.
	announced := h.MasterAddr
	var ok bool
	if h.Addr, ok = s.canonicalAddr(h.Addr); !ok {
		return e
	}
	var si *Instance
	if cur, ok := m.Sentinels[h.RunID]; ok && cur.Addr == h.Addr {
		si = cur
	}
	if si == nil {
		switched := s.removeSentinelEverywhere(func(x *Instance) bool { return x.RunID == h.RunID })
		// Another runid at this address is a sentinel that restarted with a new identity (or a
		// port reused): the old entry is gone.
		if s.removeSentinelEverywhere(func(x *Instance) bool { return x.Addr == h.Addr && x.RunID != h.RunID }) > 0 {
			stale := newInstance(RoleSentinel, h.RunID, h.Addr, now)
			s.event(&e, false, "+sentinel-invalid-addr", m, stale, "")
		}
		si = newInstance(RoleSentinel, h.RunID, h.Addr, now)
		si.RunID = h.RunID
		m.Sentinels[h.RunID] = si
		s.linkFor(h.Addr, now)
		if switched > 0 {
			s.event(&e, false, "+sentinel-address-switch", m, si,
				fmt.Sprintf("ip %s port %d for %s", h.Addr.Host, h.Addr.Port, h.RunID))
			s.updateSentinelAddressEverywhere(h.RunID, h.Addr, now)
		} else {
			s.event(&e, false, "+sentinel", m, si, "")
		}
		e.persist()
	}
	if h.CurrentEpoch > s.CurrentEpoch {
		s.CurrentEpoch = h.CurrentEpoch
		e.persist()
		s.event(&e, true, "+new-epoch", nil, nil, strconv.FormatUint(s.CurrentEpoch, 10))
	}
	if m.ConfigEpoch < h.MasterConfigEpoch {
		m.ConfigEpoch = h.MasterConfigEpoch
		e.persist()
		if to, ok := s.canonicalAddr(announced); ok && !s.sameAddr(m.Addr, announced) {
			s.event(&e, true, "+config-update-from", m, si, "")
			// sentinel.c prints the new address as the hello carried it.
			s.event(&e, true, "+switch-master", nil, nil, switchMasterMsg(m.Config.Name, m.Addr, announced))
			s.clientReconfig(&e, m, "observer", "start", m.Addr, to)
			s.resetMasterAndChangeAddress(m, to, now, &e)
		}
	}
	si.lastHelloTime = now
	return e
}

func (s *State) removeSentinelEverywhere(match func(*Instance) bool) int {
	n := 0
	for _, m := range s.Masters {
		for k, x := range m.Sentinels {
			if match(x) {
				delete(m.Sentinels, k)
				n++
			}
		}
	}
	return n
}

// updateSentinelAddressEverywhere re-adds a sentinel that changed address to the other masters
// it was known by (they learn the new address before its next hello about them).
func (s *State) updateSentinelAddressEverywhere(runid string, addr Addr, now time.Time) {
	for _, m := range s.Masters {
		if x, ok := m.Sentinels[runid]; ok {
			x.Addr = addr
		}
	}
	s.linkFor(addr, now)
}
