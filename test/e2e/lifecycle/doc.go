// Package lifecycle holds the end-to-end tests of installing, upgrading and removing the
// operator itself (the quick start as written, the chart's templates, helm upgrade with a
// changed CRD, helm uninstall, kustomize) and of its alerts firing in a real Prometheus. They
// install and remove the operator the rest of the suite uses, so `make test-e2e` runs this
// package alone, after test/e2e.
package lifecycle
