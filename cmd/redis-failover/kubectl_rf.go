package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// kubectlPluginName is the name kubectl looks for on PATH to run `kubectl rf ...`. Installed as
// a link to this binary (ln -s redis-failover kubectl-rf), the binary runs the plugin commands
// directly; `redis-failover kubectl-rf ...` is the same thing.
const kubectlPluginName = "kubectl-rf"

func init() { extraCommands = append(extraCommands, newKubectlPluginCommand) }

// runAsKubectlPlugin reports whether the binary was started under the plugin's name.
func runAsKubectlPlugin() bool {
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == kubectlPluginName
}

type kubectlFlags struct {
	kubeconfig, kubeContext, namespace string
}

func (f *kubectlFlags) client() (client.Client, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = f.kubeconfig
	cfg := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: f.kubeContext})
	rest, err := cfg.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("loading kubeconfig: %w", err)
	}
	ns := f.namespace
	if ns == "" {
		if ns, _, err = cfg.Namespace(); err != nil {
			return nil, "", fmt.Errorf("reading the namespace from kubeconfig: %w", err)
		}
	}
	scheme := runtime.NewScheme()
	if err := redisv1alpha1.AddToScheme(scheme); err != nil {
		return nil, "", err
	}
	c, err := client.New(rest, client.Options{Scheme: scheme})
	if err != nil {
		return nil, "", fmt.Errorf("creating a Kubernetes client: %w", err)
	}
	return c, ns, nil
}

func newKubectlPluginCommand() *cobra.Command {
	flags := &kubectlFlags{}
	cmd := &cobra.Command{
		Use:   kubectlPluginName,
		Short: "kubectl plugin for RedisFailover: switchover, status and convert (install as kubectl-rf on PATH)",
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&flags.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	pf.StringVar(&flags.kubeContext, "context", "", "kubeconfig context to use")
	pf.StringVarP(&flags.namespace, "namespace", "n", "", "namespace of the RedisFailover (default: the context's)")
	cmd.AddCommand(newSwitchoverCommand(flags), newStatusCommand(flags), newConvertCommand())
	return cmd
}

func newSwitchoverCommand(flags *kubectlFlags) *cobra.Command {
	var (
		to      string
		wait    bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "switchover NAME [--to POD]",
		Short: "Move the master to a replica without losing acknowledged writes",
		Long: "Sets the " + redisv1alpha1.AnnotationSwitchover + " annotation; the operator validates the request, asks the\n" +
			"sentinels and reports progress in status.switchover and Events. With --wait (the default) the command\n" +
			"follows status.switchover until it ends and exits non-zero unless it succeeded.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ns, err := flags.client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			key := types.NamespacedName{Namespace: ns, Name: args[0]}
			before, err := requestSwitchover(ctx, c, key, to)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "switchover of %s requested (%s=%s)\n", key, redisv1alpha1.AnnotationSwitchover, switchoverValue(to))
			if !wait {
				return nil
			}
			sw, err := waitSwitchover(ctx, c, key, before, func(s redisv1alpha1.SwitchoverStatus) {
				fmt.Fprintf(out, "%s: %s\n", s.Phase, s.Result)
			})
			if err != nil {
				return err
			}
			if sw.Phase != redisv1alpha1.SwitchoverSucceeded {
				return fmt.Errorf("switchover %s: %s", strings.ToLower(string(sw.Phase)), sw.Result)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the replica pod to promote (default: the sentinels choose)")
	cmd.Flags().BoolVar(&wait, "wait", true, "wait until the switchover has ended")
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "how long to wait")
	return cmd
}

func switchoverValue(to string) string {
	if to == "" {
		return redisv1alpha1.SwitchoverToAny
	}
	return to
}

// requestSwitchover sets the annotation and returns the switchover status it replaces, so that
// waitSwitchover can tell the new request's outcome from an older one.
func requestSwitchover(ctx context.Context, c client.Client, key types.NamespacedName, to string) (*redisv1alpha1.SwitchoverStatus, error) {
	rf := &redisv1alpha1.RedisFailover{}
	if err := c.Get(ctx, key, rf); err != nil {
		return nil, fmt.Errorf("getting RedisFailover %s: %w", key, err)
	}
	if sw := rf.Status.Switchover; sw != nil && sw.Phase == redisv1alpha1.SwitchoverInProgress {
		return nil, fmt.Errorf("a switchover of %s (requested %q) is still in progress: wait for it (kubectl rf status %s)", key, sw.Requested, key.Name)
	}
	if v, ok := rf.Annotations[redisv1alpha1.AnnotationSwitchover]; ok {
		return nil, fmt.Errorf("%s already carries %s=%s, which the operator has not taken yet: is the operator running?", key, redisv1alpha1.AnnotationSwitchover, v)
	}
	before := rf.Status.Switchover.DeepCopy()
	patch := client.MergeFrom(rf.DeepCopy())
	if rf.Annotations == nil {
		rf.Annotations = map[string]string{}
	}
	rf.Annotations[redisv1alpha1.AnnotationSwitchover] = switchoverValue(to)
	if err := c.Patch(ctx, rf, patch); err != nil {
		return nil, fmt.Errorf("annotating RedisFailover %s: %w", key, err)
	}
	return before, nil
}

// waitSwitchover polls status.switchover until a switchover other than before has ended,
// reporting each change of phase or result.
func waitSwitchover(ctx context.Context, c client.Client, key types.NamespacedName, before *redisv1alpha1.SwitchoverStatus, progress func(redisv1alpha1.SwitchoverStatus)) (redisv1alpha1.SwitchoverStatus, error) {
	var last redisv1alpha1.SwitchoverStatus
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		rf := &redisv1alpha1.RedisFailover{}
		if err := c.Get(ctx, key, rf); err != nil {
			return last, fmt.Errorf("getting RedisFailover %s: %w", key, err)
		}
		if sw := rf.Status.Switchover; sw != nil && isNewSwitchover(before, sw) {
			if sw.Phase != last.Phase || sw.Result != last.Result {
				progress(*sw)
			}
			last = *sw
			if sw.Phase.Finished() {
				return *sw, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("waiting for the switchover of %s (last phase %q): %w", key, last.Phase, ctx.Err())
		case <-tick.C:
		}
	}
}

// isNewSwitchover reports whether sw describes a later request than before.
func isNewSwitchover(before, sw *redisv1alpha1.SwitchoverStatus) bool {
	if before == nil || before.Started == nil {
		return true
	}
	return sw.Started != nil && !sw.Started.Equal(before.Started)
}

func newStatusCommand(flags *kubectlFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status NAME",
		Short: "Show the master, the nodes, the sentinels and the last switchover of a RedisFailover",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ns, err := flags.client()
			if err != nil {
				return err
			}
			rf := &redisv1alpha1.RedisFailover{}
			if err := c.Get(cmd.Context(), types.NamespacedName{Namespace: ns, Name: args[0]}, rf); err != nil {
				return fmt.Errorf("getting RedisFailover %s/%s: %w", ns, args[0], err)
			}
			return printStatus(cmd.OutOrStdout(), rf, time.Now())
		},
	}
}

// printStatus writes the human-readable status of rf.
func printStatus(w io.Writer, rf *redisv1alpha1.RedisFailover, now time.Time) error {
	st := rf.Status
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	master := "(none)"
	if st.Master != nil {
		master = fmt.Sprintf("%s (%s:%d)", st.Master.Pod, st.Master.IP, st.Master.Port)
	}
	fmt.Fprintf(tw, "RedisFailover:\t%s/%s\n", rf.Namespace, rf.Name)
	fmt.Fprintf(tw, "Master name:\t%s\n", st.MasterName)
	fmt.Fprintf(tw, "Master:\t%s\n", master)
	for _, t := range []string{redisv1alpha1.ConditionReady, redisv1alpha1.ConditionSwitchover} {
		if c := meta.FindStatusCondition(st.Conditions, t); c != nil {
			fmt.Fprintf(tw, "%s:\t%s (%s) %s\n", t, c.Status, c.Reason, c.Message)
		}
	}
	fmt.Fprintf(tw, "Sentinels:\t%d ready, %d agree, quorum %d, %d expected\n", st.Sentinels.Ready, st.Sentinels.Agreeing, st.Sentinels.Quorum, st.Sentinels.Expected)
	if lf := st.LastFailover; lf != nil {
		fmt.Fprintf(tw, "Last failover:\t%s -> %s (%s) %s ago\n", lf.From, lf.To, lf.Reason, age(now, lf.Time))
	}
	if sw := st.Switchover; sw != nil {
		fmt.Fprintf(tw, "Switchover:\t%s, requested %q", sw.Phase, sw.Requested)
		if sw.From != "" {
			fmt.Fprintf(tw, " from %s", sw.From)
		}
		if sw.Target != "" {
			fmt.Fprintf(tw, " to %s", sw.Target)
		}
		if sw.Started != nil {
			fmt.Fprintf(tw, ", started %s ago", age(now, *sw.Started))
		}
		fmt.Fprintf(tw, ": %s\n", sw.Result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	nodes := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(nodes, "POD\tROLE\tIP\tLINK\tOFFSET\tLAG (bytes)")
	for _, n := range st.Nodes {
		link := n.MasterLinkStatus
		if link == "" {
			link = "-"
		}
		fmt.Fprintf(nodes, "%s\t%s\t%s\t%s\t%d\t%d\n", n.Pod, n.Role, n.IP, link, n.ReplicationOffset, n.LagBytes)
	}
	return nodes.Flush()
}

func age(now time.Time, t metav1.Time) string {
	return now.Sub(t.Time).Round(time.Second).String()
}
