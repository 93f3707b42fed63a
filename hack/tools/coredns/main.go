// Command coredns is CoreDNS with only the plugins the local cluster's Corefile
// (hack/cluster/coredns.yaml) uses. The stock build compiles every plugin, cloud SDKs and
// tracers included, which made CoreDNS one of the slowest parts of a cold toolchain; a plugin
// added to the Corefile must be added here too (CoreDNS refuses to start on an unknown
// directive, so the cluster's DNS check catches a miss).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives keeps the order of CoreDNS's own plugin.cfg: a request passes through the plugins
// in this order, whatever the order in the Corefile.
var directives = []string{
	"ready",
	"health",
	"errors",
	"cache",
	"kubernetes",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
