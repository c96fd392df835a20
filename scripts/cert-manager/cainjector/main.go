// Command cainjector runs cert-manager's CA injector: a controller-runtime manager with
// cert-manager's injectors (webhook configurations, APIServices, CRD conversion webhooks) fed
// from Certificates, Secrets and the API server's own CA, configured by a
// CAInjectorConfiguration file (cainjector.config.cert-manager.io/v1alpha1, the format of the
// Helm chart's `cainjector.config:` value) that cert-manager's public configfile package decodes
// and defaults.
//
//	cainjector --config=cainjector.yaml
//	cainjector --version
//
// It does what the release's cainjector does on start, written here because the release's own
// main lives in a module the Go module proxy cannot serve. Left out: the profiler and TLS for
// the metrics server (both off by default).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	kscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	apireg "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	cainjectorconfigfile "github.com/cert-manager/cert-manager/pkg/cainjector/configfile"
	cmscheme "github.com/cert-manager/cert-manager/pkg/client/clientset/versioned/scheme"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	"github.com/cert-manager/cert-manager/pkg/util/configfile"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

// The release's leader-election Lease name.
const leaseName = "cert-manager-cainjector-leader-election"

// A CAInjectorConfiguration with nothing set: decoding it gives cert-manager's defaults.
const defaultConfig = "apiVersion: cainjector.config.cert-manager.io/v1alpha1\nkind: CAInjectorConfiguration\n"

func main() {
	configPath := flag.String("config", "", "path to a CAInjectorConfiguration file (default: cert-manager's defaults)")
	showVersion := flag.Bool("version", false, "print the cert-manager version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(util.VersionInfo().GitVersion)
		return
	}

	logf.InitLogs()
	defer logf.FlushLogs()
	if err := run(*configPath); err != nil {
		logf.Log.Error(err, "cainjector failed")
		logf.FlushLogs()
		os.Exit(1)
	}
}

func loadConfig(path string) (*cainjectorconfigfile.CAInjectorConfigFile, error) {
	file := cainjectorconfigfile.New()
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
	if cfg.EnablePprof || cfg.MetricsTLSConfig.FilesystemConfigProvided() || cfg.MetricsTLSConfig.DynamicConfigProvided() {
		return errors.New("enablePprof and metricsTLSConfig are not supported by this build")
	}
	// controller-runtime logs through its own logger; give it cert-manager's.
	ctrl.SetLogger(logf.Log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "cainjector")
	log := logf.FromContext(ctx)
	version := util.VersionInfo()
	log.Info("starting cert-manager cainjector", "version", version.GitVersion, "git_commit", version.GitCommit, "go_version", version.GoVersion)

	// The kubeconfig named by the configuration, else the in-cluster ServiceAccount.
	restConfig, err := clientcmd.BuildConfigFromFlags("", cfg.KubeConfig)
	if err != nil {
		return fmt.Errorf("kubeconfig %q: %w", cfg.KubeConfig, err)
	}
	restConfig = util.RestConfigWithUserAgent(restConfig, "cainjector")

	var namespaces map[string]cache.Config
	if cfg.Namespace != "" {
		namespaces = map[string]cache.Config{cfg.Namespace: {}}
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(kscheme.AddToScheme(scheme))
	utilruntime.Must(cmscheme.AddToScheme(scheme))
	utilruntime.Must(apiext.AddToScheme(scheme))
	utilruntime.Must(apireg.AddToScheme(scheme))

	le := cfg.LeaderElectionConfig
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme: scheme,
		Cache:  cache.Options{ReaderFailOnMissingInformer: true, DefaultNamespaces: namespaces},
		// Secrets are read directly, not cached (as the release does: a cluster's Secrets can
		// be many and large).
		Client:                        client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}},
		LeaderElection:                le.Enabled,
		LeaderElectionNamespace:       le.Namespace,
		LeaderElectionID:              leaseName,
		LeaderElectionReleaseOnCancel: true,
		LeaderElectionResourceLock:    resourcelock.LeasesResourceLock,
		LeaseDuration:                 &le.LeaseDuration,
		RenewDeadline:                 &le.RenewDeadline,
		RetryPeriod:                   &le.RetryPeriod,
		Metrics:                       metricsserver.Options{BindAddress: cfg.MetricsListenAddress},
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}

	if cfg.EnableDataSourceConfig.Certificates {
		if err := waitForCertificatesCRD(ctx, mgr); err != nil {
			return err
		}
	}
	err = cainjector.RegisterAllInjectors(ctx, mgr, cainjector.SetupOptions{
		Namespace:                    cfg.Namespace,
		EnableCertificatesDataSource: cfg.EnableDataSourceConfig.Certificates,
		EnabledReconcilersFor: map[string]bool{
			cainjector.MutatingWebhookConfigurationName:   cfg.EnableInjectableConfig.MutatingWebhookConfigurations,
			cainjector.ValidatingWebhookConfigurationName: cfg.EnableInjectableConfig.ValidatingWebhookConfigurations,
			cainjector.APIServiceName:                     cfg.EnableInjectableConfig.APIServices,
			cainjector.CustomResourceDefinitionName:       cfg.EnableInjectableConfig.CustomResourceDefinitions,
		},
	})
	if err != nil {
		return fmt.Errorf("registering the injectors: %w", err)
	}
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("running the manager: %w", err)
	}
	return nil
}

// waitForCertificatesCRD polls (1 s, up to 5 minutes, as the release does) until the API server
// serves certificates.cert-manager.io: the Certificate data source watches them.
func waitForCertificatesCRD(ctx context.Context, mgr ctrl.Manager) error {
	log := logf.FromContext(ctx)
	direct, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper()})
	if err != nil {
		return fmt.Errorf("creating a client: %w", err)
	}
	return wait.PollUntilContextTimeout(ctx, time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		var crd apiext.CustomResourceDefinition
		err := direct.Get(ctx, types.NamespacedName{Name: "certificates.cert-manager.io"}, &crd)
		if apierrors.IsNotFound(err) {
			log.Info("waiting for the certificates.cert-manager.io CRD")
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("reading the certificates.cert-manager.io CRD: %w", err)
		}
		return true, nil
	})
}
