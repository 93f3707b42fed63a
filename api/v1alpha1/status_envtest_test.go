//go:build envtest

package v1alpha1_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

func TestResourceNamesAndSubresources(t *testing.T) {
	dc, err := discovery.NewDiscoveryClientForConfig(restCfg)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(redisv1alpha1.GroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	var found, status bool
	for _, r := range list.APIResources {
		switch r.Name {
		case "redisfailovers":
			found = true
			if !r.Namespaced || r.Kind != "RedisFailover" || !slices.Contains(r.ShortNames, "rf") || !slices.Contains(r.Categories, "redis") {
				t.Errorf("redisfailovers = %+v, want namespaced kind RedisFailover, short name rf, category redis", r)
			}
		case "redisfailovers/status":
			status = true
		}
	}
	if !found || !status {
		t.Errorf("discovery lists redisfailovers %v, redisfailovers/status %v", found, status)
	}
}

// Status is a subresource: the main resource ignores it and /status sets it. kubectl get shows
// MASTER, READY, SENTINELS and AGE from it.
func TestStatusSubresourceAndPrinterColumns(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Name: "cache", Namespace: ns}}
	rf.Status.MasterName = "set-through-the-main-resource"
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	if rf.Status.MasterName != "" {
		t.Errorf("create kept status %+v; the status subresource should drop it", rf.Status)
	}

	rf.Status = redisv1alpha1.RedisFailoverStatus{
		ObservedGeneration: rf.Generation,
		MasterName:         "mymaster",
		Master:             &redisv1alpha1.MasterStatus{Pod: "rfr-cache-1", IP: "10.0.0.2", Port: 6379},
		Nodes: []redisv1alpha1.NodeStatus{
			{Pod: "rfr-cache-0", Role: role.Replica, IP: "10.0.0.1", MasterLinkStatus: "up", ReplicationOffset: 90, LagBytes: 10},
			{Pod: "rfr-cache-1", Role: role.Master, IP: "10.0.0.2", ReplicationOffset: 100},
		},
		Sentinels:    redisv1alpha1.SentinelsStatus{Expected: 3, Ready: 3, Agreeing: 3, Quorum: 2, Summary: "3/3"},
		LastFailover: &redisv1alpha1.FailoverRecord{Time: metav1.Now(), From: "rfr-cache-0", To: "rfr-cache-1", Reason: redisv1alpha1.FailoverReasonFailover},
		Conditions: []metav1.Condition{{
			Type: redisv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: redisv1alpha1.ReasonReady,
			Message: "one master, 2 replicas in sync, 3/3 sentinels agree", LastTransitionTime: metav1.Now(), ObservedGeneration: rf.Generation,
		}},
	}
	if err := k8s.Status().Update(ctx, rf); err != nil {
		t.Fatalf("status update: %v", err)
	}
	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.Master == nil || got.Status.Master.Pod != "rfr-cache-1" || len(got.Status.Nodes) != 2 || got.Status.LastFailover.To != "rfr-cache-1" {
		t.Errorf("status not stored: %+v", got.Status)
	}

	table := getTable(t, fmt.Sprintf("/apis/%s/namespaces/%s/redisfailovers/cache", redisv1alpha1.GroupVersion, ns))
	var names []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
	}
	if want := []string{"Name", "MASTER", "READY", "SENTINELS", "AGE"}; !slices.Equal(names, want) {
		t.Fatalf("columns = %v, want %v", names, want)
	}
	if len(table.Rows) != 1 {
		t.Fatalf("rows = %d", len(table.Rows))
	}
	cells := table.Rows[0].Cells
	if cells[1] != "rfr-cache-1" || cells[2] != "True" || cells[3] != "3/3" {
		t.Errorf("row = %v, want MASTER rfr-cache-1, READY True, SENTINELS 3/3", cells)
	}
}

// getTable asks the API server for path rendered as a Table, as kubectl get does.
func getTable(t *testing.T, path string) *metav1.Table {
	t.Helper()
	httpClient, err := rest.HTTPClientFor(restCfg)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(restCfg.Host, "/")+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
	}
	table := &metav1.Table{}
	if err := json.Unmarshal(body, table); err != nil {
		t.Fatal(err)
	}
	return table
}
