// Command sealkit is a development helper for the demo and the benchmark:
// it plays the sealed-secrets controller's part offline.
//
//	sealkit keygen DIR                 write a throwaway controller key pair: DIR/tls.key, DIR/tls.crt
//	sealkit unseal KEY CONFIGS SERVICE NAME NAMESPACE
//	                                   decrypt SERVICE's secrets.yaml the way the controller does
//	                                   (v1alpha1 Unseal) and compare with the local plaintext;
//	                                   prints key names only, never values
//	sealkit crypto-cost CERT N         time N x HybridEncrypt (the bare crypto of sealing N keys):
//	                                   prints seconds sequential, seconds over all CPUs, CPUs
//
// The key pair is generated on the spot and never meant to be committed.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	ssv1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/seal"
	"github.com/gitopsctl/gitopsctl/internal/seal/sealtest"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sealkit:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: sealkit keygen|unseal|crypto-cost ARGS")
	}
	switch args[0] {
	case "keygen":
		if len(args) != 2 {
			return fmt.Errorf("usage: sealkit keygen DIR")
		}
		return keygen(args[1])
	case "unseal":
		if len(args) != 6 {
			return fmt.Errorf("usage: sealkit unseal KEY CONFIGS SERVICE NAME NAMESPACE")
		}
		return unseal(args[1], args[2], args[3], args[4], args[5])
	case "crypto-cost":
		if len(args) != 3 {
			return fmt.Errorf("usage: sealkit crypto-cost CERT N")
		}
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		return cryptoCost(args[1], n)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func keygen(dir string) error {
	// 4096 bits, like the controller's own keys.
	kp, err := sealtest.New(4096, time.Now().Add(-time.Minute), 365*24*time.Hour)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), kp.KeyPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tls.crt"), kp.CertPEM, 0o644)
}

func unseal(keyFile, configs, service, name, namespace string) error {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return fmt.Errorf("%s: no PEM key", keyFile)
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	fp, err := sscrypto.PublicKeyFingerprint(&key.PublicKey)
	if err != nil {
		return err
	}
	sf, err := seal.ReadSecretsFile(layout.SecretsValuesFile(configs, service))
	if err != nil {
		return err
	}
	scope, err := seal.ParseScope(sf.Scope)
	if err != nil {
		return err
	}
	ss := &ssv1.SealedSecret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Annotations: scope.Annotations()},
		Spec:       ssv1.SealedSecretSpec{EncryptedData: sf.Data},
	}
	secret, err := ss.Unseal(serializer.NewCodecFactory(runtime.NewScheme()), map[string]*rsa.PrivateKey{fp: key})
	if err != nil {
		return fmt.Errorf("%s: the controller could not unseal %s/%s: %w", service, namespace, name, err)
	}
	plain, _, err := seal.ReadPlaintext(configs, service)
	if err != nil {
		return err
	}
	values := plain.Map()
	var keys []string
	for k := range secret.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		verdict := "no local plaintext to compare"
		if v, ok := values[k]; ok {
			verdict = "matches the local plaintext"
			if v != string(secret.Data[k]) {
				verdict = "DIFFERS from the local plaintext"
			}
		}
		fmt.Printf("  %s/%s %s: decrypts, %s\n", namespace, name, k, verdict)
	}
	return nil
}

func cryptoCost(certFile string, n int) error {
	c, err := seal.LoadCert(context.Background(), seal.CertSource{Ref: certFile})
	if err != nil {
		return err
	}
	value := []byte("0123456789abcdef0123456789abcdef")
	label := []byte("namespace/name-secrets")
	encrypt := func(count int) error {
		for i := 0; i < count; i++ {
			if _, err := sscrypto.HybridEncrypt(rand.Reader, c.Key, value, label); err != nil {
				return err
			}
		}
		return nil
	}
	start := time.Now()
	if err := encrypt(n); err != nil {
		return err
	}
	seq := time.Since(start).Seconds()
	// The same work spread over every CPU, as seal does.
	workers := goruntime.GOMAXPROCS(0)
	start = time.Now()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		count := n / workers
		if w < n%workers {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = encrypt(count)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("%.3f %.3f %d\n", seq, time.Since(start).Seconds(), workers)
	return nil
}
