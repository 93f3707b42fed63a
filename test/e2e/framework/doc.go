// Package framework holds what every end-to-end test needs against the local cluster
// (hack/cluster-up.sh): a client from $KUBECONFIG, a throw-away namespace per test that is dumped
// when the test fails and deleted afterwards, exec in a pod, and polling for a condition with a
// deadline. It has no test of its own; the e2e suites in test/e2e exercise it.
//
// A test starts with
//
//	f := framework.New(t)        // fails the test when $KUBECONFIG does not lead to a cluster
//	ns := f.CreateNamespace(t, "replication")
//
// and then uses f.Client (controller-runtime) for objects, f.Exec for commands in pods and
// framework.WaitFor / f.WaitFor... helpers for anything that becomes true later.
package framework
