// Package sealtest makes throwaway sealed-secrets controller key pairs for
// tests and demos, the way the controller does (RSA key, self-signed cert).
package sealtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
)

// KeyPair is a controller private key and its certificate.
type KeyPair struct {
	Key     *rsa.PrivateKey
	CertPEM []byte
	KeyPEM  []byte
}

// New generates a key pair of bits bits, valid from notBefore for validFor.
func New(bits int, notBefore time.Time, validFor time.Duration) (*KeyPair, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	cert, err := sscrypto.SignKeyWithNotBefore(rand.Reader, key, notBefore, validFor, "sealed-secret")
	if err != nil {
		return nil, err
	}
	return &KeyPair{
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
	}, nil
}

// Keys returns the private key in the form HybridDecrypt and Unseal take.
func (k *KeyPair) Keys() map[string]*rsa.PrivateKey {
	fp, _ := sscrypto.PublicKeyFingerprint(&k.Key.PublicKey)
	return map[string]*rsa.PrivateKey{fp: k.Key}
}
