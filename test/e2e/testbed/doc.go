// Package testbed checks the local single-node cluster itself (hack/cluster-up.sh), not the
// operator: that pods cannot reach anything off this machine, and that cluster DNS and Service
// routing work. When these fail, the e2e tests' failures say nothing about the product.
// `make test-testbed` runs them alone; `make test-e2e` runs them with the e2e tests.
package testbed
