package seal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// Paths and fields of secrets.yaml (the chart contract).
var (
	sealedPath = []string{"sealedSecrets"}
	dataPath   = []string{"sealedSecrets", "encryptedData"}
)

const (
	fieldScope       = "scope"
	fieldFingerprint = "certFingerprint"
	// fieldSealedFor records the label the ciphertexts are bound to
	// ("<namespace>/<name>", "<namespace>" or ""), so check can tell a
	// seal for another name or namespace without the private key. The
	// chart ignores it, like certFingerprint.
	fieldSealedFor = "sealedFor"
)

// NewSecretsFile is the content of a secrets.yaml with nothing sealed.
func NewSecretsFile(scope Scope) []byte {
	return []byte("sealedSecrets:\n  scope: " + string(scope) + "\n  certFingerprint: \"\"\n  encryptedData: {}\n")
}

// SecretsFile is a parsed <service>/secrets.yaml.
type SecretsFile struct {
	Path        string
	Exists      bool
	Doc         *yamledit.Doc
	Scope       string
	Fingerprint string
	SealedFor   string
	hasSealed   bool
	Data        map[string]string
	Order       []string
}

// ReadSecretsFile reads and validates secrets.yaml; a missing file reads
// as empty.
func ReadSecretsFile(path string) (*SecretsFile, error) {
	data, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return ParseSecretsFile(path, data, exists)
}

// ParseSecretsFile parses secrets.yaml content.
func ParseSecretsFile(path string, data []byte, exists bool) (*SecretsFile, error) {
	doc, err := yamledit.Parse(path, data)
	if err != nil {
		return nil, err
	}
	sf := &SecretsFile{Path: path, Exists: exists, Doc: doc, Data: map[string]string{}}
	for _, f := range []struct {
		name string
		dst  *string
	}{{fieldScope, &sf.Scope}, {fieldFingerprint, &sf.Fingerprint}, {fieldSealedFor, &sf.SealedFor}} {
		v, ok, err := doc.Get(sealedPath, f.name)
		if err != nil {
			return nil, err
		}
		*f.dst = v
		if f.name == fieldSealedFor {
			sf.hasSealed = ok
		}
	}
	entries, err := doc.Entries(dataPath...)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		sf.Data[e.Key] = e.Value
		sf.Order = append(sf.Order, e.Key)
	}
	if sf.Scope != "" {
		if _, err := ParseScope(sf.Scope); err != nil {
			return nil, fmt.Errorf("%s: sealedSecrets.scope: %w", path, err)
		}
	}
	return sf, nil
}

// context is the seal context recorded in the file.
func (sf *SecretsFile) context() sealContext {
	sc, _ := ParseScope(sf.Scope)
	return sealContext{Scope: sc, Label: sf.SealedFor, Fingerprint: sf.Fingerprint}
}
