package main

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestDecide(t *testing.T) {
	v := Volumes{Dir: "/state/volumes", Node: "localnode"}
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	retain := corev1.PersistentVolumeReclaimRetain
	classes := []storagev1.StorageClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "local"}, Provisioner: Provisioner, VolumeBindingMode: &wffc},
		{ObjectMeta: metav1.ObjectMeta{Name: "kept"}, Provisioner: Provisioner, VolumeBindingMode: &wffc, ReclaimPolicy: &retain},
		{ObjectMeta: metav1.ObjectMeta{Name: "other"}, Provisioner: "example.com/other"},
	}
	claim := func(name, class, node string, mutate ...func(*corev1.PersistentVolumeClaim)) corev1.PersistentVolumeClaim {
		c := corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-" + name),
				Annotations: map[string]string{annStorageProvisioner: Provisioner}},
			Spec:   corev1.PersistentVolumeClaimSpec{StorageClassName: &class},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
		}
		if node != "" {
			c.Annotations[annSelectedNode] = node
		}
		for _, m := range mutate {
			m(&c)
		}
		return c
	}
	released := func(name, path string, policy corev1.PersistentVolumeReclaimPolicy) corev1.PersistentVolume {
		return corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annProvisionedBy: Provisioner}},
			Spec: corev1.PersistentVolumeSpec{PersistentVolumeReclaimPolicy: policy,
				PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: path}}},
			Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeReleased},
		}
	}
	block := corev1.PersistentVolumeBlock

	claims := []corev1.PersistentVolumeClaim{
		claim("ready", "local", "localnode"),
		claim("kept", "kept", "localnode"),
		claim("unscheduled", "local", ""),
		claim("other-class", "other", "localnode"),
		claim("not-asked", "local", "localnode", func(c *corev1.PersistentVolumeClaim) { delete(c.Annotations, annStorageProvisioner) }),
		claim("bound", "local", "localnode", func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeName = "pvc-x" }),
		claim("elsewhere", "local", "othernode"),
		claim("block", "local", "localnode", func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeMode = &block }),
		claim("done", "local", "localnode"),
	}
	volumes := []corev1.PersistentVolume{
		{ObjectMeta: metav1.ObjectMeta{Name: "pvc-uid-done"}},
		released("pvc-gone", "/state/volumes/pvc-gone", corev1.PersistentVolumeReclaimDelete),
		released("pvc-retained", "/state/volumes/pvc-retained", corev1.PersistentVolumeReclaimRetain),
		released("pvc-foreign", "/somewhere/else", corev1.PersistentVolumeReclaimDelete),
	}
	p := v.Decide(classes, claims, volumes)

	var created []string
	for _, pv := range p.Create {
		created = append(created, pv.Name)
	}
	if want := []string{"pvc-uid-ready", "pvc-uid-kept"}; !slices.Equal(created, want) {
		t.Errorf("created %v, want %v", created, want)
	}
	if len(p.Create) == 2 {
		pv := p.Create[0]
		if pv.Spec.Local.Path != "/state/volumes/pvc-uid-ready" || pv.Spec.ClaimRef.UID != "uid-ready" ||
			pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete || pv.Spec.StorageClassName != "local" ||
			pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0] != "localnode" {
			t.Errorf("volume for claim ready: %+v", pv.Spec)
		}
		if got := p.Create[1].Spec.PersistentVolumeReclaimPolicy; got != corev1.PersistentVolumeReclaimRetain {
			t.Errorf("volume of class kept has reclaim policy %s, want Retain", got)
		}
	}
	var deleted []string
	for _, pv := range p.Delete {
		deleted = append(deleted, pv.Name)
	}
	// pvc-foreign is Released with Delete but points elsewhere: planned, and pass() refuses its folder.
	if want := []string{"pvc-gone", "pvc-foreign"}; !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want %v", deleted, want)
	}
	for _, name := range []string{"pvc-gone", "pvc-foreign"} {
		for _, pv := range p.Delete {
			if pv.Name != name {
				continue
			}
			if _, ok := v.folder(pv); ok != (name == "pvc-gone") {
				t.Errorf("folder(%s) ours = %v", name, ok)
			}
		}
	}
	if len(p.Refused) != 2 || p.Refused["ns/elsewhere"] == "" || p.Refused["ns/block"] == "" {
		t.Errorf("refused %v, want ns/elsewhere and ns/block", p.Refused)
	}
}
