// smoke: the one binary of the test node's smoke image (static, CGO_ENABLED=0).
//
//	smoke serve [-http :8080] [-https :8443 -tls-dir /tls]
//	    answers GET / with "smoke <hostname>"; GET /healthz with "ok"; with -https also
//	    POST /validate as an admission webhook that denies objects named "denied-by-smoke"
//	    (so a test can see kube-apiserver reach it through its Service) and allows the rest.
//	smoke get [-tries N] [-ca FILE] [-bearer-file FILE] URL
//	    GETs URL until it answers 200 (at most N tries, 1 s apart), prints the body, exits 0;
//	    exits 1 after the last failed try. -ca: trust only that CA bundle (e.g. the Pod's
//	    kube-root-ca.crt); -bearer-file: send that token (e.g. the projected ServiceAccount token).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: smoke serve|get ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "get":
		os.Exit(get(os.Args[2:]))
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

type admissionReview struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Request    *admissionRequest  `json:"request,omitempty"`
	Response   *admissionResponse `json:"response,omitempty"`
}

type admissionRequest struct {
	UID  string `json:"uid"`
	Name string `json:"name"`
}

type admissionResponse struct {
	UID     string  `json:"uid"`
	Allowed bool    `json:"allowed"`
	Status  *status `json:"status,omitempty"`
}

type status struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	httpAddr := fs.String("http", ":8080", "plain HTTP listen address")
	httpsAddr := fs.String("https", "", "HTTPS listen address (admission webhook); empty: none")
	tlsDir := fs.String("tls-dir", "/tls", "directory with tls.crt and tls.key")
	_ = fs.Parse(args)
	host, _ := os.Hostname()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/validate", func(w http.ResponseWriter, r *http.Request) {
		var review admissionReview
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&review); err != nil || review.Request == nil {
			http.Error(w, "bad AdmissionReview", http.StatusBadRequest)
			return
		}
		resp := &admissionResponse{UID: review.Request.UID, Allowed: true}
		if review.Request.Name == "denied-by-smoke" {
			resp.Allowed = false
			resp.Status = &status{Code: 403, Message: "denied by the smoke webhook in pod " + host}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(admissionReview{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview", Response: resp})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, "smoke %s\n", host) })
	errs := make(chan error, 2)
	go func() { errs <- http.ListenAndServe(*httpAddr, mux) }()
	if *httpsAddr != "" {
		go func() {
			errs <- http.ListenAndServeTLS(*httpsAddr, filepath.Join(*tlsDir, "tls.crt"), filepath.Join(*tlsDir, "tls.key"), mux)
		}()
	}
	fmt.Fprintf(os.Stderr, "smoke serving on %s %s\n", *httpAddr, *httpsAddr)
	fmt.Fprintln(os.Stderr, <-errs)
	os.Exit(1)
}

func get(args []string) int {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	tries := fs.Int("tries", 30, "attempts, 1 s apart")
	caFile := fs.String("ca", "", "PEM CA bundle to trust instead of the system's")
	bearerFile := fs.String("bearer-file", "", "file with a bearer token to send")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: smoke get [-tries N] [-ca FILE] [-bearer-file FILE] URL")
		return 2
	}
	transport := &http.Transport{}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: transport}
	for i := 1; i <= *tries; i++ {
		req, err := http.NewRequest(http.MethodGet, fs.Arg(0), nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if *bearerFile != "" {
			token, err := os.ReadFile(*bearerFile)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
		}
		res, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				fmt.Printf("try %d: %s", i, body)
				return 0
			}
			err = fmt.Errorf("HTTP %d", res.StatusCode)
		}
		fmt.Fprintf(os.Stderr, "try %d: %v\n", i, err)
		if i < *tries {
			time.Sleep(time.Second)
		}
	}
	return 1
}
