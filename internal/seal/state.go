package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// state is the git-ignored no-churn record next to a service's plaintext
// (secrets.local.state). Per key it holds an HMAC-SHA256, keyed with a
// random per-file salt, over (key, plaintext, scope, label, cert
// fingerprint), a SHA-256 of the ciphertext that sealing produced, and the
// fingerprint of the cert the key was sealed with (version 2; a version 1
// file has none, and its keys count as sealed with the cert secrets.yaml
// names). It
// may also record where the service's SealedSecret was located (located:
// optional, so older files lack it and older versions ignore it). It
// reveals nothing the plaintext file beside it does not: the MAC can only be
// checked by someone who already has the file's salt, i.e. access to the
// directory holding the plaintext itself. Deleting it is safe: the next
// seal reseals every key once.
type state struct {
	Version int                 `json:"version"`
	Salt    string              `json:"salt"`
	Keys    map[string]keyState `json:"keys"`
	// Located is where the SealedSecret was located when the file was
	// last written, with the digest of the inputs of the render that found
	// it (ciphertexts masked): while that digest holds, seal need not
	// render to locate it.
	Located *located `json:"located,omitempty"`
}

type located struct {
	Inputs    string `json:"inputs"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// location returns the recorded location (zero when there is none).
func (s *state) location() Location {
	if s == nil || s.Located == nil {
		return Location{}
	}
	l := s.Located
	return Location{Target: Target{Name: l.Name, Namespace: l.Namespace}, Inputs: l.Inputs}
}

type keyState struct {
	MAC    string `json:"mac"`
	Sealed string `json:"sealed"` // sha256 of the base64 ciphertext in secrets.yaml
	// Cert is the fingerprint of the cert the key was sealed with: after
	// the controller renews its key, keys sealed with an older (still
	// active) cert keep their ciphertext.
	Cert string `json:"cert,omitempty"`
}

// stateVersion is the version written; version 1 files (no per-key cert)
// are still read.
const stateVersion = 2

// parseState reads a state file; an unreadable one is treated as absent.
func parseState(data []byte) *state {
	var s state
	if len(data) == 0 || json.Unmarshal(data, &s) != nil || (s.Version != 1 && s.Version != stateVersion) {
		return nil
	}
	if b, err := base64.StdEncoding.DecodeString(s.Salt); err != nil || len(b) < 16 {
		return nil
	}
	if s.Keys == nil {
		s.Keys = map[string]keyState{}
	}
	return &s
}

func newState(rnd io.Reader) (*state, error) {
	salt := make([]byte, 32)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, fmt.Errorf("generate seal state salt: %w", err)
	}
	return &state{Version: stateVersion, Salt: base64.StdEncoding.EncodeToString(salt), Keys: map[string]keyState{}}, nil
}

func (s *state) bytes() []byte {
	b, _ := json.MarshalIndent(s, "", "  ")
	return append(b, '\n')
}

// sealContext is everything besides the plaintext that a ciphertext is bound to.
type sealContext struct {
	Scope       Scope
	Label       string
	Fingerprint string
}

func (s *state) mac(key, value string, c sealContext) string {
	salt, _ := base64.StdEncoding.DecodeString(s.Salt)
	h := hmac.New(sha256.New, salt)
	for _, part := range []string{"gitopsctl-seal-v1", key, value, string(c.Scope), c.Label, c.Fingerprint} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func digest(ciphertext string) string {
	sum := sha256.Sum256([]byte(ciphertext))
	return hex.EncodeToString(sum[:])
}

// fresh reports whether the ciphertext in secrets.yaml is what sealing
// value under c produced.
func (s *state) fresh(key, value, ciphertext string, c sealContext) bool {
	if s == nil || ciphertext == "" {
		return false
	}
	ks, ok := s.Keys[key]
	return ok && hmac.Equal([]byte(ks.MAC), []byte(s.mac(key, value, c))) && ks.Sealed == digest(ciphertext)
}

// certOf returns the fingerprint of the cert key's ciphertext ct was
// sealed with, as recorded: the state's entry when it is about this very
// ciphertext and names a cert, else fallback (the fingerprint secrets.yaml
// records for the file).
func (s *state) certOf(key, ct, fallback string) string {
	if s == nil {
		return fallback
	}
	if ks, ok := s.Keys[key]; ok && ks.Cert != "" && ks.Sealed == digest(ct) {
		return ks.Cert
	}
	return fallback
}

// freshAny is fresh under the cert key was sealed with (see certOf) rather
// than one given: a key sealed with an older cert is still fresh.
func (s *state) freshAny(key, value, ct string, c sealContext) bool {
	c.Fingerprint = s.certOf(key, ct, c.Fingerprint)
	return s.fresh(key, value, ct, c)
}
