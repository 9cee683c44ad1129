package seal

import (
	"bytes"
	"path"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// maskedCiphertext replaces every sealed value in what a locate render
// reads (valid base64, like a real ciphertext), and maskedField the seal's
// own records in secrets.yaml.
const (
	maskedCiphertext = "AgA="
	maskedField      = "masked"
)

// MaskCiphertexts is a render.Options.FileFilter: in a secrets.yaml it
// replaces the value of every key under sealedSecrets.encryptedData with one
// fixed placeholder, and so the values of the fields that record how they
// were sealed (certFingerprint, sealedFor; the chart ignores them), keeping
// the keys, the scope, any other field and the layout. A locate render of
// the masked files, and the input digest it is recorded under, are then
// the same before and after a reseal (which changes exactly those values),
// while anything else the location may depend on (which keys are sealed,
// the scope, the chart, the values, the Application) still changes them. A
// file it cannot parse is left as it is, so the render reports the real
// error.
func MaskCiphertexts(_, p string, data []byte) []byte {
	if path.Base(p) != layout.ServiceSecretsFile || !bytes.Contains(data, []byte("sealedSecrets")) {
		return data
	}
	sf, err := ParseSecretsFile(p, data, true)
	if err != nil {
		return data
	}
	e := editor{name: p, src: data, doc: sf.Doc}
	if len(sf.Order) > 0 {
		kvs := make([]yamledit.KV, 0, len(sf.Order))
		for _, k := range sf.Order {
			kvs = append(kvs, yamledit.KV{Key: k, Value: maskedCiphertext})
		}
		e.setAll(dataPath, kvs)
	}
	var fields []yamledit.KV
	for _, f := range []string{fieldFingerprint, fieldSealedFor} {
		if _, ok, err := sf.Doc.Get(sealedPath, f); err == nil && ok {
			fields = append(fields, yamledit.KV{Key: f, Value: maskedField})
		}
	}
	e.setAll(sealedPath, fields)
	if e.err != nil {
		return data
	}
	return e.src
}

// LocateOptions returns o set up for locating SealedSecrets: ciphertexts
// masked (see MaskCiphertexts). Renders of such a workspace are cached
// under the digest of the masked files, so they never stand for a render
// of the files as they are.
func LocateOptions(o render.Options) render.Options {
	o.FileFilter = MaskCiphertexts
	return o
}
