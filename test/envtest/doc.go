// Package envtest proves the envtest wiring: the control plane that internal/envtestenv starts
// for every envtest suite is the etcd and kube-apiserver that hack/toolchain.sh built into
// bin/envtest (KUBEBUILDER_ASSETS), not binaries from anywhere else, with the project's CRDs
// installed.
package envtest
