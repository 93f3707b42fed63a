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
//
// Every test of an operation that could lose data runs the checking writer (test/checkwriter)
// through the sentinels, as the application would, and asserts that nothing acknowledged was lost:
//
//	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-" + name,
//		MasterName: name, Password: password})
//	w.Mark("master pod deleted")                 // gaps around marks are logged, never asserted
//	... the operation, then wait until the group is at rest ...
//	w.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
//	w.StopAndVerify(ctx)                          // fails the test for every lost write
package framework
