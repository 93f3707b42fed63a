// Package envtest proves the envtest wiring: controller-runtime's envtest starts the etcd and
// kube-apiserver that hack/toolchain.sh built into bin/envtest (KUBEBUILDER_ASSETS), not
// binaries from anywhere else. Controller tests use the same setup.
package envtest
