// Throwaway module: the local node's pod sandbox ("pause") program, packed into localhost/pause:local.
module redis-failover-operator/hack/tools/pause

go 1.26.0
