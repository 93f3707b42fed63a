// Package docs holds the tests that keep docs/ true: manifests in the documents parse with the
// Kubernetes Go types, and the documents link to one another.
package docs
