// Command local-volumes is the local cluster's dynamic volume provisioner. For each
// PersistentVolumeClaim of the StorageClass that names it, it makes a folder under --dir and a
// `local` PersistentVolume pinned to the node, bound to that claim; when such a volume is
// released and its reclaim policy is Delete, it removes the folder and the volume.
//
// Why not the controller-manager's built-in hostPath provisioner: it creates each folder as
// root with mode 0750, and the kubelet applies a pod's fsGroup to `local` volumes but not to
// hostPath ones, so Redis, which runs as a non-root user, could not write its data there.
// Why not statically created local PVs: a released static PV stays Released until someone wipes
// and frees it by hand, so every test that deletes its claims would use up the node's volumes.
// Why not sig-storage-lib-external-provisioner: it requires newer versions of modules than
// Kubernetes 1.37 does, so it would compile client-go a second time on every cold CI run
// (measured: 3 minutes) for a loop this small.
//
// It runs on the node as a host process beside the kubelet (cluster-up.sh starts it) and acts
// by a level-triggered poll: every pass lists claims and volumes and does what is missing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// Provisioner is what the local cluster's StorageClass names.
const Provisioner = "local.failover.dev/volumes"

// Annotations the PersistentVolume controller sets and reads (k8s.io/component-helpers/storage/volume).
const (
	annStorageProvisioner = "volume.kubernetes.io/storage-provisioner"
	annSelectedNode       = "volume.kubernetes.io/selected-node"
	annProvisionedBy      = "pv.kubernetes.io/provisioned-by"
)

// Volumes provisions folders under Dir on Node.
type Volumes struct {
	Dir  string
	Node string
}

// Plan is what one pass does: volumes to create (with their folders) and released volumes to
// delete.
type Plan struct {
	Create []*corev1.PersistentVolume
	Delete []*corev1.PersistentVolume
	// Refused names claims this provisioner was asked for and cannot serve, with why.
	Refused map[string]string
}

// Decide is the pure part of a pass.
func (v Volumes) Decide(classes []storagev1.StorageClass, claims []corev1.PersistentVolumeClaim, volumes []corev1.PersistentVolume) Plan {
	ours := map[string]storagev1.StorageClass{}
	for _, c := range classes {
		if c.Provisioner == Provisioner {
			ours[c.Name] = c
		}
	}
	existing := map[string]bool{}
	for _, pv := range volumes {
		existing[pv.Name] = true
	}
	p := Plan{Refused: map[string]string{}}
	for i := range claims {
		pvc := &claims[i]
		class, ok := ours[ptrValue(pvc.Spec.StorageClassName)]
		if !ok || pvc.Spec.VolumeName != "" || pvc.Status.Phase != corev1.ClaimPending || pvc.DeletionTimestamp != nil {
			continue
		}
		// The PersistentVolume controller asks an external provisioner by this annotation, and,
		// for WaitForFirstConsumer, only once the scheduler has picked the claim's node.
		if pvc.Annotations[annStorageProvisioner] != Provisioner {
			continue
		}
		waitForConsumer := class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
		node := pvc.Annotations[annSelectedNode]
		if waitForConsumer && node == "" {
			continue
		}
		key := pvc.Namespace + "/" + pvc.Name
		if node != "" && node != v.Node {
			p.Refused[key] = fmt.Sprintf("scheduled to node %q; this provisioner has only node %q", node, v.Node)
			continue
		}
		if pvc.Spec.VolumeMode != nil && *pvc.Spec.VolumeMode == corev1.PersistentVolumeBlock {
			p.Refused[key] = "asks for a block volume; " + Provisioner + " provisions filesystem volumes only"
			continue
		}
		// Named after the claim's UID, like every provisioner's: a pass that crashed after the
		// create finds the volume by name instead of making a second one.
		name := "pvc-" + string(pvc.UID)
		if existing[name] {
			continue
		}
		p.Create = append(p.Create, v.volumeFor(pvc, class, name))
	}
	for i := range volumes {
		pv := &volumes[i]
		if pv.Annotations[annProvisionedBy] == Provisioner && pv.Status.Phase == corev1.VolumeReleased &&
			pv.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete && pv.DeletionTimestamp == nil {
			p.Delete = append(p.Delete, pv)
		}
	}
	return p
}

func (v Volumes) volumeFor(pvc *corev1.PersistentVolumeClaim, class storagev1.StorageClass, name string) *corev1.PersistentVolume {
	reclaim := corev1.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		reclaim = *class.ReclaimPolicy
	}
	fs := corev1.PersistentVolumeFilesystem
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annProvisionedBy: Provisioner}},
		Spec: corev1.PersistentVolumeSpec{
			StorageClassName:              class.Name,
			PersistentVolumeReclaimPolicy: reclaim,
			AccessModes:                   pvc.Spec.AccessModes,
			MountOptions:                  class.MountOptions,
			// The folder shares the node's disk: the size is recorded, not enforced.
			Capacity:   corev1.ResourceList{corev1.ResourceStorage: pvc.Spec.Resources.Requests[corev1.ResourceStorage]},
			VolumeMode: &fs,
			// Bound to its claim from the start, so no other claim can take it.
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: filepath.Join(v.Dir, name)}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{v.Node}}},
			}}}},
		},
	}
}

// folder is the volume's folder, only when it is one this provisioner made: a volume that
// points anywhere else is never removed.
func (v Volumes) folder(pv *corev1.PersistentVolume) (string, bool) {
	if pv.Spec.Local == nil {
		return "", false
	}
	path := pv.Spec.Local.Path
	return path, filepath.Dir(path) == filepath.Clean(v.Dir) && filepath.Base(path) == pv.Name
}

func ptrValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pass lists, decides and acts once.
func (v Volumes) pass(ctx context.Context, c kubernetes.Interface) error {
	log := klog.FromContext(ctx)
	classes, err := c.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing StorageClasses: %w", err)
	}
	claims, err := c.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing PersistentVolumeClaims: %w", err)
	}
	volumes, err := c.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing PersistentVolumes: %w", err)
	}
	plan := v.Decide(classes.Items, claims.Items, volumes.Items)
	var errs []error
	for claim, why := range plan.Refused {
		log.Info("cannot provision", "claim", claim, "reason", why)
	}
	for _, pv := range plan.Create {
		// The kubelet gives the folder to the pod's fsGroup when it mounts the volume.
		if err := os.MkdirAll(pv.Spec.Local.Path, 0o755); err != nil {
			errs = append(errs, fmt.Errorf("creating the folder of %s: %w", pv.Name, err))
			continue
		}
		if _, err := c.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			errs = append(errs, fmt.Errorf("creating %s: %w", pv.Name, err))
			continue
		}
		log.Info("provisioned", "pv", pv.Name, "claim", pv.Spec.ClaimRef.Namespace+"/"+pv.Spec.ClaimRef.Name, "path", pv.Spec.Local.Path)
	}
	for _, pv := range plan.Delete {
		path, ok := v.folder(pv)
		if !ok {
			log.Info("released volume left alone: its path is not a folder this provisioner made", "pv", pv.Name)
			continue
		}
		// The folder first: a volume deleted before it would leave the data with nothing
		// pointing at it.
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("removing the folder of %s: %w", pv.Name, err))
			continue
		}
		if err := c.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting %s: %w", pv.Name, err))
			continue
		}
		log.Info("deleted", "pv", pv.Name, "path", path)
	}
	return errors.Join(errs...)
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	dir := flag.String("dir", "", "folder that holds one folder per volume (absolute)")
	node := flag.String("node", "", "name of the cluster's only node")
	interval := flag.Duration("interval", time.Second, "time between passes")
	klog.InitFlags(nil)
	flag.Parse()
	if err := run(*kubeconfig, Volumes{Dir: *dir, Node: *node}, *interval); err != nil {
		fmt.Fprintln(os.Stderr, "local-volumes:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, v Volumes, interval time.Duration) error {
	var missing []string
	for _, f := range []struct{ name, value string }{{"--kubeconfig", kubeconfig}, {"--dir", v.Dir}, {"--node", v.Node}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return errors.New("missing " + strings.Join(missing, ", "))
	}
	if !filepath.IsAbs(v.Dir) {
		return fmt.Errorf("--dir %s must be an absolute path: the kubelet mounts volumes by the path they name", v.Dir)
	}
	if err := os.MkdirAll(v.Dir, 0o755); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("reading %s: %w", kubeconfig, err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx = klog.NewContext(ctx, klog.Background())
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := v.pass(ctx, c); err != nil {
			klog.FromContext(ctx).Error(err, "pass failed; retrying")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
