// Command controller runs cert-manager's controller: the controllers a release enables by
// default (`--controllers=*`), with cert-manager's own defaults for everything else, configured
// by a ControllerConfiguration file (controller.config.cert-manager.io/v1alpha1, the format of
// the Helm chart's `config:` value) that cert-manager's public configfile package decodes and
// defaults.
//
//	controller --config=controller.yaml
//	controller --version
//
// It does what the release's controller does on start (leader election on a Lease, metrics and
// /livez servers, every enabled controller over shared informers), written here because the
// release's own main lives in a module the Go module proxy cannot serve. Left out: the
// profiler, TLS for the metrics server and the Gateway API shim (all off by default).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	"github.com/cert-manager/cert-manager/pkg/controller"
	controllerconfigfile "github.com/cert-manager/cert-manager/pkg/controller/configfile"
	"github.com/cert-manager/cert-manager/pkg/healthz"
	dnsutil "github.com/cert-manager/cert-manager/pkg/issuer/acme/dns/util"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/server"
	"github.com/cert-manager/cert-manager/pkg/util"
	"github.com/cert-manager/cert-manager/pkg/util/configfile"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"

	// Each package registers its controller in controller.Known() when imported.
	"github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	"github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	ingressshim "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	cracme "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/acme"
	crapprover "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	crvault "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/vault"
	crvenafi "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/venafi"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	certmetrics "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"

	// The issuer types an Issuer or ClusterIssuer may name.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/venafi"
)

// The controllers a release runs for `--controllers=*` (its defaults are in an internal package,
// so the list is written out here by the exported names; v1.19.x).
var defaultControllers = []string{
	issuers.ControllerName,
	clusterissuers.ControllerName,
	certmetrics.ControllerName,
	ingressshim.ControllerName,
	acmeorders.ControllerName,
	acmechallenges.ControllerName,
	cracme.CRControllerName,
	crapprover.ControllerName,
	crca.CRControllerName,
	crselfsigned.CRControllerName,
	crvault.CRControllerName,
	crvenafi.CRControllerName,
	trigger.ControllerName,
	issuing.ControllerName,
	keymanager.ControllerName,
	requestmanager.ControllerName,
	readiness.ControllerName,
	revisionmanager.ControllerName,
}

// The release's leader-election Lease name and identity suffix.
const leaseName = "cert-manager-controller"

// A ControllerConfiguration with nothing set: decoding it gives cert-manager's defaults.
const defaultConfig = "apiVersion: controller.config.cert-manager.io/v1alpha1\nkind: ControllerConfiguration\n"

func main() {
	configPath := flag.String("config", "", "path to a ControllerConfiguration file (default: cert-manager's defaults)")
	showVersion := flag.Bool("version", false, "print the cert-manager version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(util.VersionInfo().GitVersion)
		return
	}

	logf.InitLogs()
	defer logf.FlushLogs()
	if err := run(*configPath); err != nil {
		logf.Log.Error(err, "controller failed")
		logf.FlushLogs()
		os.Exit(1)
	}
}

func loadConfig(path string) (*controllerconfigfile.ControllerConfigFile, error) {
	file := controllerconfigfile.New()
	if path == "" {
		return file, file.DecodeAndConfigure([]byte(defaultConfig))
	}
	loader, err := configfile.NewConfigurationFSLoader(nil, path)
	if err != nil {
		return nil, err
	}
	return file, loader.Load(file)
}

func run(configPath string) error {
	file, err := loadConfig(configPath)
	if err != nil {
		return fmt.Errorf("loading the configuration: %w", err)
	}
	cfg := file.Config
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(cfg.FeatureGates); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}
	if err := logf.ValidateAndApply(&cfg.Logging); err != nil {
		return fmt.Errorf("logging configuration: %w", err)
	}
	if cfg.EnablePprof || cfg.MetricsTLSConfig.FilesystemConfigProvided() || cfg.MetricsTLSConfig.DynamicConfigProvided() || cfg.EnableGatewayAPI {
		return errors.New("enablePprof, metricsTLSConfig and enableGatewayAPI are not supported by this build")
	}

	rootCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rootCtx = logf.NewContext(rootCtx, logf.Log, "controller")
	log := logf.FromContext(rootCtx)
	rootCtx, cancel := context.WithCancel(rootCtx)
	defer cancel()
	g, rootCtx := errgroup.WithContext(rootCtx)

	version := util.VersionInfo()
	log.Info("starting cert-manager controller", "version", version.GitVersion, "git_commit", version.GitCommit, "go_version", version.GoVersion)

	enabled := enabledControllers(cfg.Controllers)
	if cfg.Namespace != "" {
		enabled.Delete(clusterissuers.ControllerName) // cluster-scoped: off when scoped to one namespace
	}
	log.Info(fmt.Sprintf("enabled controllers: %s", sets.List(enabled)))

	// The clients, informers and options every controller is built from, as the release builds them.
	quantities := map[string]resource.Quantity{}
	for name, value := range map[string]string{
		"solverResourceRequestCPU":    cfg.ACMEHTTP01Config.SolverResourceRequestCPU,
		"solverResourceRequestMemory": cfg.ACMEHTTP01Config.SolverResourceRequestMemory,
		"solverResourceLimitsCPU":     cfg.ACMEHTTP01Config.SolverResourceLimitsCPU,
		"solverResourceLimitsMemory":  cfg.ACMEHTTP01Config.SolverResourceLimitsMemory,
	} {
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return fmt.Errorf("acmeHTTP01Config.%s: %w", name, err)
		}
		quantities[name] = q
	}
	nameservers := cfg.ACMEDNS01Config.RecursiveNameservers
	if len(nameservers) == 0 {
		nameservers = dnsutil.RecursiveNameservers
	}
	factory, err := controller.NewContextFactory(rootCtx, controller.ContextOptions{
		Kubeconfig:         cfg.KubeConfig,
		APIServerHost:      cfg.APIServerHost,
		KubernetesAPIQPS:   cfg.KubernetesAPIQPS,
		KubernetesAPIBurst: cfg.KubernetesAPIBurst,
		Namespace:          cfg.Namespace,
		ACMEOptions: controller.ACMEOptions{
			HTTP01SolverImage:                 cfg.ACMEHTTP01Config.SolverImage,
			HTTP01SolverResourceRequestCPU:    quantities["solverResourceRequestCPU"],
			HTTP01SolverResourceRequestMemory: quantities["solverResourceRequestMemory"],
			HTTP01SolverResourceLimitsCPU:     quantities["solverResourceLimitsCPU"],
			HTTP01SolverResourceLimitsMemory:  quantities["solverResourceLimitsMemory"],
			ACMEHTTP01SolverRunAsNonRoot:      cfg.ACMEHTTP01Config.SolverRunAsNonRoot,
			HTTP01SolverNameservers:           cfg.ACMEHTTP01Config.SolverNameservers,
			DNS01Nameservers:                  nameservers,
			DNS01CheckRetryPeriod:             cfg.ACMEDNS01Config.CheckRetryPeriod,
			DNS01CheckAuthoritative:           !cfg.ACMEDNS01Config.RecursiveNameserversOnly,
		},
		SchedulerOptions: controller.SchedulerOptions{MaxConcurrentChallenges: cfg.MaxConcurrentChallenges},
		IssuerOptions: controller.IssuerOptions{
			ClusterIssuerAmbientCredentials: cfg.ClusterIssuerAmbientCredentials,
			IssuerAmbientCredentials:        cfg.IssuerAmbientCredentials,
			ClusterResourceNamespace:        cfg.ClusterResourceNamespace,
		},
		IngressShimOptions: controller.IngressShimOptions{
			DefaultIssuerName:                 cfg.IngressShimConfig.DefaultIssuerName,
			DefaultIssuerKind:                 cfg.IngressShimConfig.DefaultIssuerKind,
			DefaultIssuerGroup:                cfg.IngressShimConfig.DefaultIssuerGroup,
			DefaultAutoCertificateAnnotations: cfg.IngressShimConfig.DefaultAutoCertificateAnnotations,
			ExtraCertificateAnnotations:       cfg.IngressShimConfig.ExtraCertificateAnnotations,
		},
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:           cfg.EnableCertificateOwnerRef,
			CopiedAnnotationPrefixes: cfg.CopiedAnnotationPrefixes,
		},
		ConfigOptions: controller.ConfigOptions{EnableGatewayAPI: cfg.EnableGatewayAPI},
	})
	if err != nil {
		return err
	}
	cmctx, err := factory.Build()
	if err != nil {
		return err
	}

	metricsLn, err := server.Listen(rootCtx, "tcp", cfg.MetricsListenAddress)
	if err != nil {
		return fmt.Errorf("listening on the metrics address %s: %w", cfg.MetricsListenAddress, err)
	}
	cmctx.Metrics.SetupACMECollector(cmctx.SharedInformerFactory.Acme().V1().Challenges().Lister())
	cmctx.Metrics.SetupCertificateCollector(cmctx.SharedInformerFactory.Certmanager().V1().Certificates().Lister())
	metricsServer := cmctx.Metrics.NewServer(metricsLn)
	g.Go(func() error {
		<-rootCtx.Done()
		shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelShutdown()
		return metricsServer.Shutdown(shutdownCtx) //nolint:contextcheck // rootCtx is done here
	})
	g.Go(func() error {
		log.Info("starting metrics server", "address", metricsLn.Addr().String())
		if err := metricsServer.Serve(metricsLn); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})

	var lc net.ListenConfig
	healthzLn, err := lc.Listen(rootCtx, "tcp", cfg.HealthzListenAddress)
	if err != nil {
		return fmt.Errorf("listening on the healthz address %s: %w", cfg.HealthzListenAddress, err)
	}
	healthzServer := healthz.NewServer(cfg.LeaderElectionConfig.HealthzTimeout)
	g.Go(func() error {
		log.Info("starting healthz server", "address", healthzLn.Addr().String())
		return healthzServer.Start(rootCtx, healthzLn)
	})

	elected := make(chan struct{})
	if cfg.LeaderElectionConfig.Enabled {
		le := cfg.LeaderElectionConfig
		g.Go(func() error {
			return leaderElection(rootCtx, factory, healthzServer, elected, leaderElectionOptions{
				namespace:     le.Namespace,
				leaseDuration: le.LeaseDuration,
				renewDeadline: le.RenewDeadline,
				retryPeriod:   le.RetryPeriod,
			})
		})
	} else {
		close(elected)
	}
	select {
	case <-rootCtx.Done():
		return g.Wait()
	case <-elected:
	}

	for name, construct := range controller.Known() {
		if !enabled.Has(name) {
			log.Info("skipping disabled controller", "controller", name)
			continue
		}
		iface, err := construct(factory)
		if err != nil {
			cancel()
			return errors.Join(fmt.Errorf("starting controller %s: %w", name, err), g.Wait())
		}
		g.Go(func() error {
			log.Info("starting controller", "controller", name)
			return iface.Run(cfg.NumberOfConcurrentWorkers, rootCtx)
		})
	}
	cmctx.SharedInformerFactory.Start(rootCtx.Done())
	cmctx.KubeSharedInformerFactory.Start(rootCtx.Done())
	cmctx.HTTP01ResourceMetadataInformersFactory.Start(rootCtx.Done())

	err = g.Wait()
	cmctx.HTTP01ResourceMetadataInformersFactory.Shutdown()
	cmctx.KubeSharedInformerFactory.Shutdown()
	cmctx.SharedInformerFactory.Shutdown()
	if err != nil {
		return err
	}
	log.Info("control loops exited")
	return nil
}

// enabledControllers reads the `controllers` list as the release does: "*" is the default set,
// "-name" removes one, a bare name adds one; only removals imply "*".
func enabledControllers(list []string) sets.Set[string] {
	enabled := sets.New[string]()
	var disabled []string
	for _, c := range list {
		switch {
		case c == "*":
			enabled.Insert(defaultControllers...)
		case len(c) > 1 && c[0] == '-':
			disabled = append(disabled, c[1:])
		default:
			enabled.Insert(c)
		}
	}
	if len(disabled) > 0 && enabled.Len() == 0 {
		enabled.Insert(defaultControllers...)
	}
	return enabled.Delete(disabled...)
}

type leaderElectionOptions struct {
	namespace                                string
	leaseDuration, renewDeadline, retryPeriod time.Duration
}

// leaderElection holds the Lease `cert-manager-controller` in the configured namespace (the
// release's name and identity), closes `elected` once it leads, and fails when it loses the
// Lease: the process then exits, as the release's does, and is restarted by its supervisor.
func leaderElection(ctx context.Context, factory *controller.ContextFactory, healthzServer *healthz.Server, elected chan struct{}, opts leaderElectionOptions) error {
	log := logf.FromContext(ctx)
	log.Info("starting leader election", "namespace", opts.namespace, "lease", leaseName)
	lectx, err := factory.Build("leader-election")
	if err != nil {
		return err
	}
	hostname, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("hostname for the leader-election identity: %w", err)
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, opts.namespace, leaseName,
		lectx.Client.CoreV1(), lectx.Client.CoordinationV1(),
		resourcelock.ResourceLockConfig{Identity: hostname + "-external-cert-manager-controller", EventRecorder: lectx.Recorder})
	if err != nil {
		return fmt.Errorf("leader-election lock: %w", err)
	}
	lost := make(chan struct{})
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   opts.leaseDuration,
		RenewDeadline:   opts.renewDeadline,
		RetryPeriod:     opts.retryPeriod,
		ReleaseOnCancel: true,
		WatchDog:        healthzServer.LeaderHealthzAdaptor,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) {
				log.Info("leading", "namespace", opts.namespace, "lease", leaseName)
				close(elected)
			},
			OnStoppedLeading: func() {
				if ctx.Err() == nil {
					close(lost)
				}
			},
		},
	})
	if err != nil {
		return err
	}
	elector.Run(ctx)
	select {
	case <-lost:
		return errors.New("leader election lost")
	default:
		return nil
	}
}
