// Command go-x509-oracle verifies client certificates with the machine's Go crypto/x509, as
// kube-apiserver's X.509 authenticator does: Certificate.Verify with the client-CA bundle as
// Roots, the presented chain as Intermediates and KeyUsages [ExtKeyUsageClientAuth].
//
// It reads JSON objects on stdin, one after another (one per test case, so that a batch of
// cases costs one process): {"leaf": base64 DER, "roots": [base64 DER], "intermediates":
// [base64 DER], "currentTime": RFC 3339}. For each it prints one JSON line: on success the
// first chain Verify returns, each certificate named by the pool it came from and its index
// there (the first index holding the same DER, as CertPool keeps a certificate once); on
// failure the error's class (from its Go type and reason, not its wording) and its text.
//
// A root or intermediate Go cannot parse is left out, as CertPool.AppendCertsFromPEM leaves it
// out; its index and the parse error are reported under "skipped".
//
// Standard library only, so that it builds in GOPATH mode without a module proxy.
package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

type input struct {
	Leaf          []byte   `json:"leaf"`
	Roots         [][]byte `json:"roots"`
	Intermediates [][]byte `json:"intermediates"`
	CurrentTime   string   `json:"currentTime"`
}

type link struct {
	Pool    string `json:"pool"`
	Index   int    `json:"index"`
	Subject string `json:"subject"`
}

type output struct {
	GoVersion string   `json:"goVersion"`
	OK        bool     `json:"ok"`
	Chain     []link   `json:"chain,omitempty"`
	Chains    int      `json:"chains,omitempty"`
	Class     string   `json:"class,omitempty"`
	Error     string   `json:"error,omitempty"`
	Skipped   []string `json:"skipped,omitempty"`
}

func main() {
	decoder := json.NewDecoder(os.Stdin)
	encoder := json.NewEncoder(os.Stdout)
	for {
		var in input
		if err := decoder.Decode(&in); err == io.EOF {
			return
		} else if err != nil {
			fmt.Fprintf(os.Stderr, "go-x509-oracle: bad input: %v\n", err)
			os.Exit(2)
		}
		out := verify(in)
		out.GoVersion = runtime.Version()
		if err := encoder.Encode(out); err != nil {
			fmt.Fprintf(os.Stderr, "go-x509-oracle: %v\n", err)
			os.Exit(2)
		}
	}
}

func verify(in input) output {
	now, err := time.Parse(time.RFC3339Nano, in.CurrentTime)
	if err != nil {
		return output{Class: "bad-input", Error: err.Error()}
	}
	leaf, err := x509.ParseCertificate(in.Leaf)
	if err != nil {
		return output{Class: "parse", Error: err.Error()}
	}
	var skipped []string
	roots, rootList := pool("root", in.Roots, &skipped)
	intermediates, intermediateList := pool("intermediate", in.Intermediates, &skipped)
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return output{Class: classOf(err), Error: err.Error(), Skipped: skipped}
	}
	first := chains[0]
	named := make([]link, len(first))
	for i, cert := range first {
		switch {
		case i == 0:
			named[i] = link{Pool: "leaf", Index: 0}
		case i == len(first)-1:
			named[i] = link{Pool: "root", Index: indexOf(rootList, cert)}
		default:
			named[i] = link{Pool: "intermediate", Index: indexOf(intermediateList, cert)}
		}
		named[i].Subject = cert.Subject.String()
	}
	return output{OK: true, Chain: named, Chains: len(chains), Skipped: skipped}
}

// pool parses each certificate, in order, into a CertPool; list keeps the parsed ones by their input index.
func pool(role string, ders [][]byte, skipped *[]string) (*x509.CertPool, []*x509.Certificate) {
	p := x509.NewCertPool()
	list := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			*skipped = append(*skipped, fmt.Sprintf("%s %d: %v", role, i, err))
			continue
		}
		list[i] = cert
		p.AddCert(cert)
	}
	return p, list
}

func indexOf(list []*x509.Certificate, cert *x509.Certificate) int {
	for i, c := range list {
		if c != nil && bytes.Equal(c.Raw, cert.Raw) {
			return i
		}
	}
	return -1
}

func classOf(err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var critical x509.UnhandledCriticalExtension
	switch {
	case errors.As(err, &unknown):
		return "unknown-authority"
	case errors.As(err, &critical):
		return "unhandled-critical-extension"
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.NotAuthorizedToSign:
			return "not-authorized-to-sign"
		case x509.Expired:
			return "expired"
		case x509.CANotAuthorizedForThisName:
			return "name-constraints"
		case x509.TooManyIntermediates:
			return "too-many-intermediates"
		case x509.IncompatibleUsage:
			return "incompatible-usage"
		}
		return fmt.Sprintf("invalid-reason-%d", invalid.Reason)
	case strings.Contains(err.Error(), "signature check attempts limit"):
		return "signature-limit"
	}
	return "other"
}
