// Package e2e holds the end-to-end tests: they run against the local single-node cluster
// (hack/cluster-up.sh) with the images hack/images.sh loaded, through `make test-e2e`.
// Reusable helpers live in test/e2e/framework; the checks of the test bed itself in test/e2e/testbed.
package e2e
